"""Bank files: approved tranches batched into an ISO 20022 credit transfer file (pain.001) for
finance to upload to the bank, and bank statements (camt.053) imported to record the tranches
paid and to propose matches of incoming transfers to pledges (docs/decisions/0090)."""
