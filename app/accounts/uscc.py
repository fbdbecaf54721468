"""统一社会信用代码 (GB 32100-2015) validation, check character included."""
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_char(first17: str) -> str:
    total = sum(CHARSET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def is_valid_uscc(code: str) -> bool:
    """Return True when code is 18 characters of the GB 32100 set with the right check character."""
    if not isinstance(code, str) or len(code) != 18:
        return False
    code = code.upper()
    if any(c not in CHARSET for c in code):
        return False
    return check_char(code[:17]) == code[17]


def make_uscc(body17: str) -> str:
    """Append the check character to 17 valid characters (demo and test data)."""
    return body17 + check_char(body17)
