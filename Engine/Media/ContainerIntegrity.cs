using System.Buffers.Binary;
using ReelSpeed.Engine.Media.Native;

namespace ReelSpeed.Engine.Media;

/// <summary>
/// Cheap structural checks that find files cut short (an interrupted upload or copy) even
/// when libavformat opens them without complaint. Only headers are read: a few bytes per
/// top-level MP4 box, the first two Matroska elements, the tail of the demuxer's index.
/// </summary>
internal static unsafe class ContainerIntegrity
{
    /// <summary>Top-level box walks stop after this many boxes (a fragmented MP4 has two per fragment).</summary>
    internal const int MaxBoxes = 20_000;

    /// <summary>How many entries at the end of each stream's index are checked against the file size.</summary>
    internal const int IndexTailEntries = 64;

    private const string Mp4 = "MP4/MOV", Mkv = "Matroska/WebM", Riff = "RIFF (AVI/WAV)";

    private static readonly HashSet<string> s_topLevelBoxes = new(StringComparer.Ordinal)
    {
        "ftyp", "styp", "moov", "mdat", "moof", "mfra", "free", "skip", "wide", "pnot", "sidx",
        "ssix", "meta", "uuid", "pdin", "emsg", "prft", "junk", "pict",
    };

    /// <summary>What the first bytes say the file is.</summary>
    public enum Family { Unknown, IsoBmff, Matroska, Riff }

    /// <summary>A structural problem: <see cref="Truncated"/> when data the file declares is missing; <see cref="Container"/> names the format checked.</summary>
    public sealed record Problem(bool Truncated, string Container, string Detail);

    public static string Name(Family family) => family switch
    {
        Family.IsoBmff => Mp4,
        Family.Matroska => Mkv,
        Family.Riff => Riff,
        _ => "media",
    };

    public static Family Sniff(string path)
    {
        Span<byte> head = stackalloc byte[16];
        using var fs = OpenRead(path);
        int n = ReadAt(fs, 0, head);
        return Sniff(head[..n]);
    }

    private static Family Sniff(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 4 && BinaryPrimitives.ReadUInt32BigEndian(head) == 0x1A45DFA3) return Family.Matroska;
        if (head.Length >= 12 && head[..4].SequenceEqual("RIFF"u8) && BoxType(head.Slice(8, 4)).Length == 4) return Family.Riff;
        if (head.Length >= 8 && s_topLevelBoxes.Contains(BoxType(head.Slice(4, 4))))
        {
            uint size = BinaryPrimitives.ReadUInt32BigEndian(head);
            if (size is 0 or 1 or >= 8) return Family.IsoBmff;
        }
        return Family.Unknown;
    }

    /// <summary>Checks the container structure of an MP4/MOV or Matroska/WebM file; null when nothing is wrong (or the format is another).</summary>
    public static Problem? CheckStructure(string path, long fileSize)
    {
        using var fs = OpenRead(path);
        Span<byte> head = stackalloc byte[16];
        int n = ReadAt(fs, 0, head);
        return Sniff(head[..n]) switch
        {
            Family.IsoBmff => WalkBoxes(fs, fileSize),
            Family.Matroska => CheckSegment(fs, fileSize),
            Family.Riff => WalkRiff(fs, fileSize),
            _ => null,
        };
    }

    /// <summary>
    /// Walks the top-level boxes (size + type headers only). A known box whose declared size
    /// runs past the end of the file means the file was cut; a missing <c>moov</c> is named.
    /// </summary>
    private static Problem? WalkBoxes(FileStream fs, long fileSize)
    {
        Span<byte> header = stackalloc byte[16];
        long offset = 0;
        bool sawMoov = false;
        for (int i = 0; i < MaxBoxes && offset < fileSize; i++)
        {
            long left = fileSize - offset;
            if (left < 8) return null; // a few trailing bytes: padding, not a box
            ReadAt(fs, offset, header[..8]);
            long size = BinaryPrimitives.ReadUInt32BigEndian(header);
            string type = BoxType(header.Slice(4, 4));
            bool known = s_topLevelBoxes.Contains(type);
            int headerSize = 8;
            if (size == 1)
            {
                if (left < 16) return known ? new Problem(true, Mp4, $"the file ends inside the header of the '{type}' box at byte {offset}") : null;
                ReadAt(fs, offset + 8, header.Slice(8, 8));
                size = BinaryPrimitives.ReadInt64BigEndian(header.Slice(8, 8));
                headerSize = 16;
            }
            else if (size == 0)
            {
                return null; // the last box, running to the end of the file by definition
            }
            if (!known) return null; // trailing junk some writers leave; nothing to conclude
            if (size < headerSize) return new Problem(false, Mp4, $"the '{type}' box at byte {offset} has an impossible size ({size} bytes)");
            if (type == "moov") sawMoov = true;
            if (size > left)
            {
                string missing = type == "moov" ? "the index (moov) is incomplete"
                    : sawMoov ? $"{size - left} bytes of '{type}' are missing"
                    : $"{size - left} bytes of '{type}' are missing and the index (moov) that should follow is absent";
                return new Problem(true, Mp4, $"the '{type}' box at byte {offset} declares {size} bytes but only {left} remain: {missing}");
            }
            offset += size;
        }
        return null;
    }

    /// <summary>
    /// Reads the EBML header and the Segment header: a Segment that declares more bytes than
    /// the file holds was cut. Live-written files with an unknown Segment size are not judged.
    /// </summary>
    private static Problem? CheckSegment(FileStream fs, long fileSize)
    {
        long offset = 0;
        // EBML header element: ID (4 bytes) + size, then skip its body.
        if (!ReadElementHeader(fs, offset, fileSize, out uint id, out long bodyStart, out long bodySize) || id != 0x1A45DFA3 || bodySize < 0)
            return null;
        offset = bodyStart + bodySize;
        if (offset >= fileSize) return new Problem(true, Mkv, "the file ends after the Matroska header, before any content");
        if (!ReadElementHeader(fs, offset, fileSize, out id, out bodyStart, out bodySize) || id != 0x18538067)
            return null;
        if (bodySize < 0) return null; // unknown size (streamed)
        long present = fileSize - bodyStart;
        if (bodySize > present)
            return new Problem(true, Mkv, $"the Matroska segment declares {bodySize} bytes but only {present} are present ({bodySize - present} missing)");
        return null;
    }

    /// <summary>
    /// Walks the top-level RIFF chunks (an AVI over 1 GiB continues in 'AVIX' chunks): a chunk
    /// whose declared size runs past the end of the file was cut. Sizes 0 and 0xFFFFFFFF are the
    /// placeholders of writers that could not seek back, and are not judged.
    /// </summary>
    private static Problem? WalkRiff(FileStream fs, long fileSize)
    {
        Span<byte> header = stackalloc byte[12];
        long offset = 0;
        for (int i = 0; i < MaxBoxes && fileSize - offset >= 12; i++)
        {
            ReadAt(fs, offset, header);
            if (!header[..4].SequenceEqual("RIFF"u8)) return null; // trailing data after the last chunk
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
            if (size is 0 or uint.MaxValue) return null;
            string form = BoxType(header.Slice(8, 4));
            long end = offset + 8 + size;
            if (end > fileSize)
                return new Problem(true, Riff, $"the RIFF '{form.TrimEnd()}' chunk at byte {offset} declares {size} bytes but only {fileSize - offset - 8} remain ({end - fileSize} missing)");
            offset = end + (size & 1); // chunks are padded to an even size
        }
        return null;
    }

    /// <summary>An EBML element header at <paramref name="offset"/>: ID (1-4 bytes) and size (1-8 bytes, -1 when unknown).</summary>
    private static bool ReadElementHeader(FileStream fs, long offset, long fileSize, out uint id, out long bodyStart, out long bodySize)
    {
        id = 0;
        bodyStart = 0;
        bodySize = -1;
        Span<byte> buf = stackalloc byte[12];
        int n = ReadAt(fs, offset, buf[..(int)Math.Min(12, fileSize - offset)]);
        if (n < 2) return false;
        int idLength = VintLength(buf[0]);
        if (idLength is 0 or > 4 || idLength >= n) return false;
        for (int i = 0; i < idLength; i++) id = id << 8 | buf[i];
        int sizeLength = VintLength(buf[idLength]);
        if (sizeLength == 0 || idLength + sizeLength > n) return false;
        ulong value = (ulong)(buf[idLength] & (0xFF >> sizeLength));
        bool allOnes = value == (ulong)(0xFF >> sizeLength);
        for (int i = 1; i < sizeLength; i++)
        {
            byte b = buf[idLength + i];
            value = value << 8 | b;
            allOnes &= b == 0xFF;
        }
        bodyStart = offset + idLength + sizeLength;
        bodySize = allOnes || value > long.MaxValue ? -1 : (long)value;
        return true;
    }

    private static int VintLength(byte first) => first == 0 ? 0 : System.Numerics.BitOperations.LeadingZeroCount((uint)first) - 24 + 1;

    /// <summary>
    /// The demuxer's index (MP4 sample tables, AVI idx1, Matroska cues...) against the file
    /// size: an entry whose bytes lie past the end means frames the header promises are gone.
    /// </summary>
    public static Problem? CheckIndex(nint formatCtx, long fileSize)
    {
        int count = (int)LibAv.Field<uint>(formatCtx, AvLayout.FormatContext.NbStreams);
        var streams = (nint*)LibAv.PtrAt(formatCtx, AvLayout.FormatContext.Streams);
        uint sizeMask = (1u << AvLayout.IndexEntry.SizeBits) - 1;
        for (int s = 0; s < count; s++)
        {
            int entries = LibAv.avformat_index_get_entries_count(streams[s]);
            for (int i = Math.Max(0, entries - IndexTailEntries); i < entries; i++)
            {
                var e = LibAv.avformat_index_get_entry(streams[s], i);
                if (e == 0) continue;
                long pos = LibAv.Field<long>(e, AvLayout.IndexEntry.Pos);
                uint word = LibAv.Field<uint>(e, AvLayout.IndexEntry.SizeWord);
                long size = (word >> AvLayout.IndexEntry.SizeShift) & sizeMask;
                if (pos >= 0 && pos + size > fileSize)
                    return new Problem(true, "media",
                        $"the index puts frame {i + 1} of {entries} of stream {s} at bytes {pos}-{pos + size}, past the end of the file ({fileSize} bytes)");
            }
        }
        return null;
    }

    private static string BoxType(ReadOnlySpan<byte> b)
    {
        foreach (var c in b)
            if (c is < 0x20 or > 0x7E) return "";
        return System.Text.Encoding.ASCII.GetString(b);
    }

    private static FileStream OpenRead(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0, FileOptions.RandomAccess);

    private static int ReadAt(FileStream fs, long offset, Span<byte> buffer)
    {
        fs.Position = offset;
        int total = 0;
        while (total < buffer.Length)
        {
            int n = fs.Read(buffer[total..]);
            if (n == 0) break;
            total += n;
        }
        return total;
    }
}
