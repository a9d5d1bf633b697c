// What the connector's node configuration says about flow control and message delivery, shared by
// peer.mjs (one connection per process) and serve.mjs (every connection, for load runs).
export const flowOptions = {
  receiveSCPMessages: true,
  receiveTransactionMessages: true,
  peerFloodReadingCapacity: 200,
  flowControlSendMoreBatchSize: 40,
  peerFloodReadingCapacityBytes: 300000,
  flowControlSendMoreBatchSizeBytes: 100000,
};
