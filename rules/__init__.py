from hipscreen.compat import require_frozendict

require_frozendict()  # experta (imported by every rule module) breaks on frozendict 1.x: say how to fix it
