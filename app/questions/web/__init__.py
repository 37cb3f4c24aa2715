"""The pages of a call's questions: the fund manager's list and form, the NGO's section."""
