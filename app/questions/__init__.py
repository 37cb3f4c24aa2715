"""Questions a fund manager adds to a call, and the NGOs' answers to them (issue 26)."""
