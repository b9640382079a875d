"""The fund as a record (name, code, dates, status), its accounting years and the
entries of its life that are not a donor's: the fund's own costs and income, the
write-offs, the closing decisions of each pool and the certified final statements
(DESIGN.md §6a). Low in the layers: the ledger's services (contributions, travel)
call its guards; the services that close a year or the fund live in
trustfund/closure/, above the statements they read."""
