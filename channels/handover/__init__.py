"""Chatbot hand-overs to inbound agents: receiving them, the agents' queue, taking, closing, results."""
