"""The fund's life above its ledger (DESIGN.md §6a): closing accounting years (what
the closing fixes, read back by the statements), the fund's own entries (direct
costs, bank charges, other income), write-offs, the pools' closing decisions
(refunds by largest remainder, transfers to another fund), the financial closure,
the funding status report and the certified final financial statements.

The fund's record, its guards and the models are in trustfund/fund/, low in the
layers, so that the ledger's services call the guards; what needs the statements'
positions is here, above them."""
