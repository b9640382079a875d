"""`flask --app trustfund close-fund --dry-run`: the refunds that the fund's financial
closure would make today, pool by pool and donor by donor, and what is still to
settle first. Nothing is written: the decisions are recorded by SRSG staff and the
closure by the admin, on the fund's closing page (their audit trail needs a person)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..extensions import db


@click.command("close-fund")
@click.option("--dry-run", is_flag=True, help="Show the refunds the closure would make; write nothing.")
@with_appcontext
def close_fund_command(dry_run: bool):
    """Show the refunds of the fund's financial closure (--dry-run)."""
    from ..clock import today
    from ..formatting import money
    from .financial import unsettled
    from .refunds import plans

    if not dry_run:
        raise click.ClickException("The closing decisions are recorded by SRSG staff and the financial "
                                   "closure by the admin, on the fund's closing page (Fund > Closing the "
                                   "fund). Use --dry-run to see the refunds it would make.")
    try:
        on = today()
        for problem in unsettled():
            click.echo(f"To settle first: {problem}")
        pool_plans = plans(on)
        if not pool_plans:
            click.echo("No pool holds an unspent balance: there is nothing to refund.")
        for plan in pool_plans:
            click.echo(f"{plan.pool.label} ({plan.pool.code}): unspent balance {money(plan.balance, 'USD')}")
            if not plan.parts:
                click.echo("  no donor has net deposits in this pool: transfer it to another fund")
            for part in plan.parts:
                local = ""
                if part.currency != "USD" and part.currency_amount is not None:
                    local = f" = {money(part.currency_amount, part.currency)} at {part.rate}"
                elif part.currency != "USD":
                    local = f" ({part.currency}: no UN rate this month)"
                click.echo(f"  {part.donor_name}: {money(part.amount, 'USD')}{local} "
                           f"(net deposits {money(part.weight, 'USD')})")
            click.echo(f"  total refunded: {money(plan.total, 'USD')}")
    finally:
        db.session.rollback()
