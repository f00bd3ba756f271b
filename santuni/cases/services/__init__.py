"""The domain operations of cases, one module per topic: `cases` (people, cases, notes,
attachments, consent, export, anonymising), `referrals` (making referrals and taking the steps
of workflow.STEPS), `escalation` (referrals past their target times), `sharing` (the consent
rule for sharing a person's details) and `refusals` (what they share)."""
