# The variant registry, build side: one name per variant. Each name owns its folders
# (docs/adding-a-variant.md lists them); the build adds every one of them that exists, and the
# generated registry (conformance/registry/) links each variant's descriptor. Nothing else in the
# build names a variant.
set(SHAKEDOWN_VARIANTS
  stellar
  stt
  shadowmesh
  sft
  hivemind
)
