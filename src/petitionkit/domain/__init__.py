"""The domain: petitions, cases, referrals, obligations, events and the lifecycle."""
