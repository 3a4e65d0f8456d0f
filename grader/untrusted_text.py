"""Text a student controls (exception messages, notes, their lines of code, file names, ids), made fit to show.

Whatever reaches a terminal, feedback.txt, an HTML page or a JSON report from a student must not pass for the
grader's own lines: a newline or carriage return could start a fake `PASS ... 10/10` line, an ANSI escape could
recolour or erase what we wrote. So every character that is not plainly visible is shown as its escape
(`\\n`, `\\x1b`, `\\u202e`), and the text is cut to a bounded length that says how much was left out.
"""
SHOWN_CHARACTERS = 300
NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": " "}  # a tab keeps its column: carets still point right


def visible(text, limit=SHOWN_CHARACTERS):
    """text with every control, format, separator and unassigned character written as its escape, and at most
    limit characters of it (then how many more there were). Linear in the length of text."""
    text = str(text)
    cut = text[:limit]
    shown = "".join(_escaped(character) for character in cut)
    if len(text) > limit:
        shown += f"... ({len(text) - limit} more characters)"
    return shown


def _escaped(character):
    if character.isprintable():  # False for controls, format, separators but the space, unassigned
        return character
    if character in NAMED_ESCAPES:
        return NAMED_ESCAPES[character]
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
