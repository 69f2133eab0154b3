/**
 * The one form in which an email address is stored and compared: NFKC, so compatibility look-alikes
 * (the KELVIN SIGN, full-width letters, ligatures) become the letters they imitate, then lower case.
 * NFKC again after lower-casing, as a few lower-case mappings leave a string that is not in NFKC.
 */
export const normalizeEmail = (email: string) => email.normalize('NFKC').toLowerCase().normalize('NFKC');

/**
 * Whether an identity provider's verified address proves the address it normalises to: only if it is
 * written in NFKC already (any letter case). `\u212Aelvin@example.com` proves that the user reads the
 * mail sent to that spelling, not to `kelvin@example.com`: the mail server decides whether the two
 * are one mailbox. (U+212A is even canonically equivalent to `K`, so NFC would not tell them apart.)
 * See docs/decisions.md, "Email addresses".
 */
export const provesNormalizedAddress = (email: string) => email.normalize('NFKC') === email;
