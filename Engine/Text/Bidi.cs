using System.Globalization;
using System.Text;

namespace ReelSpeed.Engine.Text;

/// <summary>Bidirectional character types of UAX #9 that this engine resolves.</summary>
public enum BidiClass : byte
{
    /// <summary>Left-to-right letter (Latin, Greek, Cyrillic, CJK, Indic, Thai, ...).</summary>
    L,
    /// <summary>Right-to-left letter (Hebrew, NKo, Samaritan, ...).</summary>
    R,
    /// <summary>Arabic letter (Arabic, Syriac, Thaana): right to left, and turns following European digits into Arabic numbers.</summary>
    AL,
    /// <summary>European number (ASCII digits, superscripts, Persian digits).</summary>
    EN,
    /// <summary>European separator (+ -).</summary>
    ES,
    /// <summary>European terminator (# $ % currency, degree).</summary>
    ET,
    /// <summary>Arabic number (Arabic-Indic digits).</summary>
    AN,
    /// <summary>Common number separator (, . / : NBSP).</summary>
    CS,
    /// <summary>Non-spacing mark: takes the type of the character it sits on.</summary>
    NSM,
    /// <summary>Boundary neutral (ZWJ, ZWNJ, format controls): ignored, takes the type of what precedes it.</summary>
    BN,
    /// <summary>Paragraph separator.</summary>
    B,
    /// <summary>Segment separator (tab).</summary>
    S,
    /// <summary>Whitespace.</summary>
    WS,
    /// <summary>Other neutral: punctuation, symbols, emoji.</summary>
    ON,
}

/// <summary>
/// A compact Unicode Bidirectional Algorithm (UAX #9) for chat messages: paragraph level from
/// the first strong character (P2/P3), weak types (W1–W7), bracket pairs (N0), neutrals
/// (N1/N2), implicit levels (I1/I2) and reordering by level (L2). Line-level whitespace (L1) is applied by the layout,
/// which knows where lines end; mirroring (L4) is left to HarfBuzz, which mirrors brackets in
/// runs shaped right to left.
/// <para>
/// Not implemented, on purpose: explicit embeddings, overrides and isolates (LRE, RLE, LRO, RLO,
/// PDF, LRI, RLI, FSI, PDI) are classified as ordinary neutrals (ON), so a paragraph is a single
/// isolating run sequence at the paragraph level. Chat text almost never carries them; the marks
/// LRM, RLM and ALM, which are strong characters, do work. Bracket pairing (N0) knows the common
/// brackets (ASCII, fullwidth, CJK, and the math/ornamental pairs) but not the canonical
/// equivalence of U+2329/U+232A with U+3008/U+3009.
/// </para>
/// <para>
/// .NET has no bidi-class API, so <see cref="Classify"/> is a compact table: explicit ranges for
/// the right-to-left scripts, digits and number punctuation, and the Unicode general category
/// for everything else.
/// </para>
/// </summary>
public static class Bidi
{
    /// <summary>The bidi class of a code point (Unicode 15 data for the scripts chat text uses).</summary>
    public static BidiClass Classify(int cp)
    {
        if (cp < 0x100) return Latin1(cp);
        if (cp is >= 0x0590 and <= 0x05FF) return IsNonSpacingMark(cp) ? BidiClass.NSM : BidiClass.R; // Hebrew
        if (cp is >= 0x0600 and <= 0x07BF) return ArabicFamily(cp); // Arabic, Syriac, Arabic Supplement, Thaana
        if (cp is >= 0x07C0 and <= 0x085F) // NKo, Samaritan, Mandaic
        {
            if (cp is >= 0x07F6 and <= 0x07F9) return BidiClass.ON;
            if (cp is 0x07FE or 0x07FF) return BidiClass.ET;
            return IsNonSpacingMark(cp) ? BidiClass.NSM : BidiClass.R;
        }
        if (cp is >= 0x0860 and <= 0x08FF) return ArabicFamily(cp); // Syriac Supplement, Arabic Extended-A/B
        if (cp is >= 0x2000 and <= 0x20CF) return GeneralPunctuation(cp);
        if (cp is >= 0xFB1D and <= 0xFB4F) // Hebrew presentation forms
            return cp == 0xFB29 ? BidiClass.ES : IsNonSpacingMark(cp) ? BidiClass.NSM : BidiClass.R;
        if (cp is >= 0xFB50 and <= 0xFDFF) // Arabic presentation forms A
            return cp is 0xFD3E or 0xFD3F or (>= 0xFD40 and <= 0xFD4F) or 0xFDCF or (>= 0xFDFD and <= 0xFDFF) ? BidiClass.ON
                : IsNonSpacingMark(cp) ? BidiClass.NSM : BidiClass.AL;
        if (cp is >= 0xFE70 and <= 0xFEFF) return cp == 0xFEFF ? BidiClass.BN : BidiClass.AL; // Arabic presentation forms B
        if (cp is >= 0x10800 and <= 0x10FFF) return HistoricRightToLeft(cp);
        if (cp is >= 0x1E800 and <= 0x1EFFF)
        {
            if (cp is >= 0x1EEF0 and <= 0x1EEF1) return BidiClass.ON;
            if (IsNonSpacingMark(cp)) return BidiClass.NSM;
            return cp is (>= 0x1EC70 and <= 0x1ECBF) or (>= 0x1ED00 and <= 0x1ED4F) or (>= 0x1EE00 and <= 0x1EEFF) ? BidiClass.AL : BidiClass.R;
        }

        switch (cp)
        {
            case 0x2212: return BidiClass.ES; // minus sign
            case 0x2213 or 0x212E: return BidiClass.ET;
            case >= 0x2488 and <= 0x249B: return BidiClass.EN; // digit full stops
            case >= 0x249C and <= 0x24E9: return BidiClass.L;  // parenthesized and circled Latin letters
            case 0xFE50 or 0xFE52 or 0xFE55 or 0xFF0C or 0xFF0E or 0xFF0F or 0xFF1A: return BidiClass.CS;
            case 0xFE62 or 0xFE63 or 0xFF0B or 0xFF0D: return BidiClass.ES;
            case 0xFE5F or 0xFE69 or 0xFE6A or (>= 0xFF03 and <= 0xFF05) or 0xFFE0 or 0xFFE1 or 0xFFE5 or 0xFFE6: return BidiClass.ET;
            case >= 0xFF10 and <= 0xFF19: return BidiClass.EN; // fullwidth digits
            case >= 0x1D7CE and <= 0x1D7FF: return BidiClass.EN; // mathematical digits
            case >= 0x1F100 and <= 0x1F10A: return BidiClass.EN; // digit full stops and commas
            case >= 0x1F110 and <= 0x1F2FF:
                // Enclosed letters, regional indicators (flags) and enclosed ideographs are L;
                // the few symbols among them are neutral.
                return cp is (>= 0x1F10B and <= 0x1F10F) or 0x1F12F or (>= 0x1F16A and <= 0x1F16F) or 0x1F1AD or (>= 0x1F260 and <= 0x1F265)
                    ? BidiClass.ON : BidiClass.L;
        }

        switch (CharUnicodeInfo.GetUnicodeCategory(cp))
        {
            case UnicodeCategory.NonSpacingMark:
            case UnicodeCategory.EnclosingMark:
                return BidiClass.NSM;
            case UnicodeCategory.SpaceSeparator:
            case UnicodeCategory.LineSeparator:
                return BidiClass.WS;
            case UnicodeCategory.ParagraphSeparator:
                return BidiClass.B;
            case UnicodeCategory.Control:
            case UnicodeCategory.Format:
                return BidiClass.BN;
            case UnicodeCategory.CurrencySymbol:
                return BidiClass.ET;
            case UnicodeCategory.MathSymbol:
            case UnicodeCategory.ConnectorPunctuation:
            case UnicodeCategory.DashPunctuation:
            case UnicodeCategory.OpenPunctuation:
            case UnicodeCategory.ClosePunctuation:
            case UnicodeCategory.InitialQuotePunctuation:
            case UnicodeCategory.FinalQuotePunctuation:
            case UnicodeCategory.OtherPunctuation:
            case UnicodeCategory.ModifierSymbol:
            case UnicodeCategory.OtherSymbol:
            case UnicodeCategory.OtherNumber:
                // Shared punctuation and symbols are neutral; the punctuation of individual
                // left-to-right scripts (danda, Thai signs, ...) is L.
                return IsSharedSymbolArea(cp) ? BidiClass.ON : BidiClass.L;
            default:
                // Letters, spacing marks, letter numbers, non-European digits, private use and
                // unassigned code points outside the right-to-left blocks.
                return BidiClass.L;
        }
    }

    private static BidiClass Latin1(int cp) => cp switch
    {
        0x09 or 0x0B or 0x1F => BidiClass.S,
        0x0A or 0x0D or (>= 0x1C and <= 0x1E) or 0x85 => BidiClass.B,
        0x0C or 0x20 => BidiClass.WS,
        < 0x20 or (>= 0x7F and <= 0x9F) or 0xAD => BidiClass.BN,
        (>= '0' and <= '9') or 0xB2 or 0xB3 or 0xB9 => BidiClass.EN,
        '+' or '-' => BidiClass.ES,
        '#' or '$' or '%' or (>= 0xA2 and <= 0xA5) or 0xB0 or 0xB1 => BidiClass.ET,
        ',' or '.' or '/' or ':' or 0xA0 => BidiClass.CS,
        (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or 0xAA or 0xB5 or 0xBA => BidiClass.L,
        < 0xC0 or 0xD7 or 0xF7 => BidiClass.ON,
        _ => BidiClass.L, // Latin-1 letters
    };

    private static BidiClass ArabicFamily(int cp)
    {
        switch (cp)
        {
            case (>= 0x0600 and <= 0x0605) or (>= 0x0660 and <= 0x0669) or 0x066B or 0x066C or 0x06DD or 0x0890 or 0x0891 or 0x08E2:
                return BidiClass.AN; // Arabic-Indic digits, decimal/thousands separators, number signs
            case >= 0x06F0 and <= 0x06F9:
                return BidiClass.EN; // Extended (Persian/Urdu) digits are European numbers in UAX #9
            case 0x0609 or 0x060A or 0x066A:
                return BidiClass.ET; // per mille, per ten thousand, percent
            case 0x060C:
                return BidiClass.CS; // Arabic comma
            case 0x0606 or 0x0607 or 0x060E or 0x060F or 0x06DE or 0x06E9:
                return BidiClass.ON;
        }
        return IsNonSpacingMark(cp) ? BidiClass.NSM : BidiClass.AL;
    }

    private static BidiClass GeneralPunctuation(int cp) => cp switch
    {
        <= 0x200A or 0x2028 or 0x205F => BidiClass.WS,
        0x200B or 0x200C or 0x200D or (>= 0x2060 and <= 0x2065) or (>= 0x206A and <= 0x206F) => BidiClass.BN,
        0x200E => BidiClass.L,  // LRM
        0x200F => BidiClass.R,  // RLM
        0x2029 => BidiClass.B,
        0x202F or 0x2044 => BidiClass.CS,
        (>= 0x2030 and <= 0x2034) or (>= 0x20A0 and <= 0x20CF) => BidiClass.ET,
        0x2070 or (>= 0x2074 and <= 0x2079) or (>= 0x2080 and <= 0x2089) => BidiClass.EN,
        0x207A or 0x207B or 0x208A or 0x208B => BidiClass.ES,
        0x2071 or 0x207F or (>= 0x2090 and <= 0x209F) => BidiClass.L,
        // Dashes, quotes, bullets, and the explicit embedding/isolate controls (treated as neutrals).
        _ => BidiClass.ON,
    };

    private static BidiClass HistoricRightToLeft(int cp)
    {
        if (IsNonSpacingMark(cp)) return BidiClass.NSM;
        if (cp is (>= 0x10D30 and <= 0x10D39) or (>= 0x10E60 and <= 0x10E7E)) return BidiClass.AN; // Hanifi Rohingya digits, Rumi numerals
        if (cp is (>= 0x10D00 and <= 0x10D3F) or (>= 0x10EC0 and <= 0x10EFF) or (>= 0x10F30 and <= 0x10F6F)) return BidiClass.AL;
        if (cp is 0x1091F or (>= 0x10B39 and <= 0x10B3F)) return BidiClass.ON;
        return BidiClass.R;
    }

    private static bool IsNonSpacingMark(int cp) =>
        CharUnicodeInfo.GetUnicodeCategory(cp) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark;

    /// <summary>Blocks whose punctuation and symbols are shared by all scripts (bidi class ON).</summary>
    private static bool IsSharedSymbolArea(int cp) =>
        cp is < 0x0900 or (>= 0x1F00 and <= 0x1FFF) // up to Arabic (whose own cases come first); Greek Extended's accents
        || (cp is >= 0x2100 and <= 0x2BFF && cp is not (>= 0x2800 and <= 0x28FF)) // letterlike .. arrows, math, dingbats; not Braille
        || cp is (>= 0x2E00 and <= 0x2FFF) // supplemental punctuation, CJK radicals, ideographic description
            or (>= 0x3000 and <= 0x303F) // CJK symbols and punctuation
            or 0x309B or 0x309C or 0x30A0 or 0x30FB
            or (>= 0x31C0 and <= 0x31EF) // CJK strokes
            or (>= 0x4DC0 and <= 0x4DFF) // hexagrams
            or (>= 0xA490 and <= 0xA4CF) or (>= 0xA700 and <= 0xA721)
            or (>= 0xFE10 and <= 0xFE1F) or (>= 0xFE30 and <= 0xFE6F)
            or (>= 0xFF00 and <= 0xFF65) or (>= 0xFFE0 and <= 0xFFFF)
            or (>= 0x1F000 and <= 0x1FBFF); // emoji, pictographs, game symbols

    /// <summary>P2/P3: 1 (right to left) when the first strong character is R or AL, else 0.</summary>
    public static byte ParagraphLevel(ReadOnlySpan<char> paragraph)
    {
        foreach (var rune in paragraph.EnumerateRunes())
        {
            switch (Classify(rune.Value))
            {
                case BidiClass.L: return 0;
                case BidiClass.R or BidiClass.AL: return 1;
            }
        }
        return 0;
    }

    /// <summary>
    /// Resolves the embedding level of every UTF-16 code unit of one paragraph (both units of a
    /// surrogate pair get the same level). Every grapheme cluster ends up at one level, so a
    /// cluster is never split across directional runs.
    /// </summary>
    public static byte[] ResolveLevels(ReadOnlySpan<char> paragraph, byte paragraphLevel)
    {
        int n = paragraph.Length;
        var types = new BidiClass[n];
        var levels = new byte[n];
        if (n == 0) return levels;

        // Classes per code point; X9 (approximated): a boundary neutral is ignored by taking the
        // type of what precedes it, which keeps ZWJ sequences and joiners inside their run.
        var previous = BidiClass.ON;
        for (int i = 0; i < n;)
        {
            bool valid = Rune.DecodeFromUtf16(paragraph[i..], out var rune, out int consumed) == System.Buffers.OperationStatus.Done;
            int len = valid ? consumed : 1;
            var c = valid ? Classify(rune.Value) : BidiClass.ON;
            if (c == BidiClass.BN) c = previous;
            for (int k = 0; k < len; k++) types[i + k] = c;
            previous = c;
            i += len;
        }

        var e = (paragraphLevel & 1) == 0 ? BidiClass.L : BidiClass.R; // sos = eos = embedding direction
        var original = (BidiClass[])types.Clone();
        ResolveWeakTypes(types, e);
        ResolvePairedBrackets(paragraph, types, original, e);
        ResolveNeutralTypes(types, e);

        // I1/I2: implicit levels.
        for (int i = 0; i < n; i++)
        {
            var t = types[i];
            if ((paragraphLevel & 1) == 0)
                levels[i] = (byte)(paragraphLevel + t switch { BidiClass.R => 1, BidiClass.AN or BidiClass.EN => 2, _ => 0 });
            else
                levels[i] = (byte)(paragraphLevel + (t is BidiClass.L or BidiClass.EN or BidiClass.AN ? 1 : 0));
        }

        // A grapheme (emoji ZWJ sequence, keycap, base + marks) is drawn as one unit: its level
        // is that of its first character.
        for (int i = 0; i < n;)
        {
            int len = StringInfo.GetNextTextElementLength(paragraph[i..]);
            if (len <= 0) len = 1;
            for (int k = 1; k < len; k++) levels[i + k] = levels[i];
            i += len;
        }
        return levels;
    }

    private static void ResolveWeakTypes(BidiClass[] t, BidiClass sos)
    {
        int n = t.Length;
        // W1: a non-spacing mark takes the type of the previous character (sos at the start).
        var prev = sos;
        for (int i = 0; i < n; i++)
        {
            if (t[i] == BidiClass.NSM) t[i] = prev;
            else prev = t[i];
        }
        // W2: European numbers after Arabic letters are Arabic numbers. W3: AL becomes R.
        var lastStrong = sos;
        for (int i = 0; i < n; i++)
        {
            switch (t[i])
            {
                case BidiClass.L or BidiClass.R: lastStrong = t[i]; break;
                case BidiClass.AL: lastStrong = BidiClass.AL; t[i] = BidiClass.R; break;
                case BidiClass.EN when lastStrong == BidiClass.AL: t[i] = BidiClass.AN; break;
            }
        }
        // W4: one separator between two numbers of the same kind joins them ("1,000", "1+2", "١٫٥").
        for (int i = 1; i < n - 1; i++)
        {
            if (t[i] == BidiClass.ES && t[i - 1] == BidiClass.EN && t[i + 1] == BidiClass.EN) t[i] = BidiClass.EN;
            else if (t[i] == BidiClass.CS && t[i - 1] == t[i + 1] && t[i - 1] is BidiClass.EN or BidiClass.AN) t[i] = t[i - 1];
        }
        // W5: terminators next to a European number join it ("$5", "50%").
        for (int i = 0; i < n;)
        {
            if (t[i] != BidiClass.ET) { i++; continue; }
            int s = i;
            while (i < n && t[i] == BidiClass.ET) i++;
            if ((s > 0 && t[s - 1] == BidiClass.EN) || (i < n && t[i] == BidiClass.EN))
                for (int k = s; k < i; k++) t[k] = BidiClass.EN;
        }
        // W6: remaining separators and terminators are neutral.
        for (int i = 0; i < n; i++)
            if (t[i] is BidiClass.ES or BidiClass.ET or BidiClass.CS) t[i] = BidiClass.ON;
        // W7: European numbers in left-to-right context are L.
        lastStrong = sos;
        for (int i = 0; i < n; i++)
        {
            if (t[i] is BidiClass.L or BidiClass.R) lastStrong = t[i];
            else if (t[i] == BidiClass.EN && lastStrong == BidiClass.L) t[i] = BidiClass.L;
        }
    }

    /// <summary>
    /// N0: a bracket pair takes the embedding direction when its contents have a strong character
    /// of that direction; when they have only the opposite direction, it takes that direction if
    /// the text before the opening bracket has it too, else the embedding direction. So
    /// "שלום (hello)" keeps "(hello)" together and "abc (שלום) def" mirrors nothing.
    /// </summary>
    private static void ResolvePairedBrackets(ReadOnlySpan<char> text, BidiClass[] t, BidiClass[] original, BidiClass e)
    {
        // BD16: pair brackets with a stack of at most 63 openings; an unmatched closing bracket is skipped.
        const int MaxDepth = 63;
        Span<(char Closing, int Position)> stack = stackalloc (char, int)[MaxDepth];
        int depth = 0;
        List<(int Open, int Close)>? pairs = null;
        for (int i = 0; i < text.Length; i++)
        {
            if (t[i] != BidiClass.ON) continue;
            char c = text[i];
            char closing = ClosingBracketOf(c);
            if (closing != 0)
            {
                if (depth == MaxDepth) break;
                stack[depth++] = (closing, i);
            }
            else if (IsClosingBracket(c))
            {
                for (int k = depth - 1; k >= 0; k--)
                {
                    if (stack[k].Closing != c) continue;
                    (pairs ??= new()).Add((stack[k].Position, i));
                    depth = k;
                    break;
                }
            }
        }
        if (pairs is null) return;
        pairs.Sort((a, b) => a.Open.CompareTo(b.Open));

        var opposite = e == BidiClass.L ? BidiClass.R : BidiClass.L;
        foreach (var (open, close) in pairs)
        {
            bool hasEmbedding = false, hasOpposite = false;
            for (int k = open + 1; k < close && !hasEmbedding; k++)
            {
                var d = StrongOrNeutral(t[k]);
                hasEmbedding = d == e;
                hasOpposite |= d == opposite;
            }
            BidiClass resolved;
            if (hasEmbedding) resolved = e;
            else if (hasOpposite)
            {
                var before = e; // sos
                for (int k = open - 1; k >= 0; k--)
                {
                    var d = StrongOrNeutral(t[k]);
                    if (d != BidiClass.ON) { before = d; break; }
                }
                resolved = before == opposite ? opposite : e;
            }
            else continue; // no strong text inside: N1/N2 decide

            foreach (int b in stackalloc[] { open, close })
            {
                t[b] = resolved;
                // Marks on a bracket follow it (W1 had made them neutral with it).
                for (int k = b + 1; k < t.Length && original[k] == BidiClass.NSM; k++) t[k] = resolved;
            }
        }
    }

    private static BidiClass StrongOrNeutral(BidiClass c) => c switch
    {
        BidiClass.L => BidiClass.L,
        BidiClass.R or BidiClass.AL or BidiClass.EN or BidiClass.AN => BidiClass.R,
        _ => BidiClass.ON,
    };

    /// <summary>The closing bracket paired with an opening one (Bidi_Paired_Bracket), or 0.</summary>
    private static char ClosingBracketOf(char c) => c switch
    {
        '(' => ')',
        '[' => ']',
        '{' => '}',
        '\uFF08' => '\uFF09',
        '\uFF3B' => '\uFF3D',
        '\uFF5B' => '\uFF5D',
        _ when IsAlternatingBracket(c) && (c - AlternatingBase(c)) % 2 == 0 => (char)(c + 1),
        _ => '\0',
    };

    private static bool IsClosingBracket(char c) =>
        c is ')' or ']' or '}' or '\uFF09' or '\uFF3D' or '\uFF5D'
        || (IsAlternatingBracket(c) && (c - AlternatingBase(c)) % 2 == 1);

    /// <summary>Ranges where opening and closing brackets alternate: ⁅⁆ ⁽⁾ ₍₎ ⌈⌉⌊⌋ 〈〉 ❨❩… ⟦⟧… ⦃⦄… 〈〉《》「」『』【】 〔〕… ﹙﹚… ｟｠ ｢｣.</summary>
    private static bool IsAlternatingBracket(char c) => AlternatingBase(c) != 0;

    private static int AlternatingBase(char c) => c switch
    {
        >= '\u2045' and <= '\u2046' => 0x2045,
        >= '\u207D' and <= '\u207E' => 0x207D,
        >= '\u208D' and <= '\u208E' => 0x208D,
        >= '\u2308' and <= '\u230B' => 0x2308,
        >= '\u2329' and <= '\u232A' => 0x2329,
        >= '\u2768' and <= '\u2775' => 0x2768,
        >= '\u27E6' and <= '\u27EF' => 0x27E6,
        >= '\u2983' and <= '\u2998' => 0x2983,
        >= '\u3008' and <= '\u3011' => 0x3008,
        >= '\u3014' and <= '\u301B' => 0x3014,
        >= '\uFE59' and <= '\uFE5E' => 0xFE59,
        >= '\uFF5F' and <= '\uFF60' => 0xFF5F,
        >= '\uFF62' and <= '\uFF63' => 0xFF62,
        _ => 0,
    };

    private static void ResolveNeutralTypes(BidiClass[] t, BidiClass e)
    {
        int n = t.Length;
        for (int i = 0; i < n;)
        {
            if (!IsNeutral(t[i])) { i++; continue; }
            int s = i;
            while (i < n && IsNeutral(t[i])) i++;
            // N1: neutrals between two runs of the same direction take it (numbers count as R);
            // N2: otherwise they take the embedding direction.
            var before = s == 0 ? e : StrongDirection(t[s - 1]);
            var after = i == n ? e : StrongDirection(t[i]);
            var resolved = before == after ? before : e;
            for (int k = s; k < i; k++) t[k] = resolved;
        }
    }

    private static bool IsNeutral(BidiClass c) => c is BidiClass.B or BidiClass.S or BidiClass.WS or BidiClass.ON;

    private static BidiClass StrongDirection(BidiClass c) => c == BidiClass.L ? BidiClass.L : BidiClass.R;

    /// <summary>
    /// L2: the visual order of items (runs or characters) given their levels in logical order:
    /// from the highest level down to the lowest odd one, every maximal sequence at that level or
    /// above is reversed. Returns logical indices, leftmost first.
    /// </summary>
    public static int[] VisualOrder(ReadOnlySpan<byte> levels)
    {
        int n = levels.Length;
        var order = new int[n];
        byte max = 0, minOdd = byte.MaxValue;
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
            max = Math.Max(max, levels[i]);
            if ((levels[i] & 1) != 0) minOdd = Math.Min(minOdd, levels[i]);
        }
        for (int level = max; level >= minOdd && level > 0; level--)
        {
            for (int p = 0; p < n;)
            {
                if (levels[order[p]] < level) { p++; continue; }
                int q = p;
                while (q < n && levels[order[q]] >= level) q++;
                Array.Reverse(order, p, q - p);
                p = q;
            }
        }
        return order;
    }
}
