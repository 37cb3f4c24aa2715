"""The monitoring pages: a grant's visits and recommendations, the follow-up list, the partner
score."""
