#include "stellar/messages.hpp"

namespace shakedown::stellar {

std::string_view to_string(MessageType t) {
    switch (t) {
        case MessageType::error_msg: return "ERROR_MSG";
        case MessageType::auth: return "AUTH";
        case MessageType::dont_have: return "DONT_HAVE";
        case MessageType::peers: return "PEERS";
        case MessageType::get_tx_set: return "GET_TX_SET";
        case MessageType::tx_set: return "TX_SET";
        case MessageType::transaction: return "TRANSACTION";
        case MessageType::get_scp_quorumset: return "GET_SCP_QUORUMSET";
        case MessageType::scp_quorumset: return "SCP_QUORUMSET";
        case MessageType::scp_message: return "SCP_MESSAGE";
        case MessageType::get_scp_state: return "GET_SCP_STATE";
        case MessageType::hello: return "HELLO";
        case MessageType::send_more: return "SEND_MORE";
        case MessageType::generalized_tx_set: return "GENERALIZED_TX_SET";
        case MessageType::flood_advert: return "FLOOD_ADVERT";
        case MessageType::flood_demand: return "FLOOD_DEMAND";
        case MessageType::send_more_extended: return "SEND_MORE_EXTENDED";
        case MessageType::time_sliced_survey_request: return "TIME_SLICED_SURVEY_REQUEST";
        case MessageType::time_sliced_survey_response: return "TIME_SLICED_SURVEY_RESPONSE";
        case MessageType::time_sliced_survey_start_collecting: return "TIME_SLICED_SURVEY_START_COLLECTING";
        case MessageType::time_sliced_survey_stop_collecting: return "TIME_SLICED_SURVEY_STOP_COLLECTING";
    }
    return "UNKNOWN";
}

bool is_known_type(std::int32_t t) {
    return t == 0 || (t >= 2 && t <= 13 && t != 4) || (t >= 16 && t <= 24);
}

std::string_view to_string(ErrorCode c) {
    switch (c) {
        case ErrorCode::misc: return "ERR_MISC";
        case ErrorCode::data: return "ERR_DATA";
        case ErrorCode::conf: return "ERR_CONF";
        case ErrorCode::auth: return "ERR_AUTH";
        case ErrorCode::load: return "ERR_LOAD";
    }
    return "ERR_UNKNOWN";
}

MessageType type_of(const StellarMessage& m) {
    struct Visitor {
        MessageType operator()(const ErrorMsg&) const { return MessageType::error_msg; }
        MessageType operator()(const Hello&) const { return MessageType::hello; }
        MessageType operator()(const Auth&) const { return MessageType::auth; }
        MessageType operator()(const Peers&) const { return MessageType::peers; }
        MessageType operator()(const SendMore&) const { return MessageType::send_more; }
        MessageType operator()(const SendMoreExtended&) const { return MessageType::send_more_extended; }
        MessageType operator()(const GetScpState&) const { return MessageType::get_scp_state; }
        MessageType operator()(const OtherMessage& o) const { return o.type; }
    };
    return std::visit(Visitor{}, m);
}

}  // namespace shakedown::stellar
