"""The browser phone: WebRTC legs (aiortc) bridged to the SIP edge's RTP relay, rung over the agent socket."""
