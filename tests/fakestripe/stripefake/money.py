"""Currency helpers: minor units, minimums, display."""
ZERO_DECIMAL = {"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx",
                "vnd", "vuv", "xaf", "xof", "xpf"}
THREE_DECIMAL = {"bhd", "jod", "kwd", "omr", "tnd"}
MINIMUM = {"usd": 50, "eur": 50, "gbp": 30, "cad": 50, "aud": 50, "jpy": 50}
SYMBOL = {"usd": "$", "eur": "\u20ac", "gbp": "\u00a3", "cad": "$", "aud": "$", "jpy": "\u00a5"}
MAX_AMOUNT = 99999999


def fmt(amount, currency):
    sym = SYMBOL.get(currency, "")
    if currency in ZERO_DECIMAL:
        text = "%d" % amount
    elif currency in THREE_DECIMAL:
        text = "%d.%03d" % divmod(amount, 1000)
    else:
        text = "{:,}.{:02d}".format(*divmod(amount, 100))
    return "%s%s %s" % (sym, text, currency) if not sym else "%s%s" % (sym, text)


def stripe_fee(amount):
    """2.9% + 30 minor units, rounded half up, in integers (never floats for money)."""
    return (amount * 29 + 500) // 1000 + 30
