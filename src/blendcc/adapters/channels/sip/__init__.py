"""SIP edge: SIP user agent (UAS/UAC, REGISTER), SDP, RTP media relay, DTMF."""
