/* pe-image-read.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Why a PNG (and PNM) decoder of our own.
 *
 * The clean worker decodes every stored original, and imported PNG pages are stored as the
 * file itself. pixRead() spends most of its time outside inflating: libpng unfilters each row
 * through its generic code and Leptonica then copies every pixel into the PIX one byte at a
 * time (SET_DATA_BYTE). Thread CPU time per page on 20 pages of a 300 dpi degraded batch
 * (2480 × 3508, 17 RGB, 3 grey; bench/store/README.md): pixRead() 83 ms (up to 170 ms),
 * libspng 66 ms, this reader 31 ms (up to 57 ms), of which libdeflate inflating takes 13.5 ms
 * (zlib needs about 35 ms for that alone). Built without SSE2 it takes 38 ms.
 *
 * The stored PNGs are of a few plain kinds only (import_undecoded() in pe-file-source.c:
 * 1- or 8-bit grey or 8-bit RGB, no palette, no transparency), so this reader handles exactly
 * those: whole file in memory, chunk walk with CRCs, every IDAT inflated at once by libdeflate
 * (which checks the Adler-32) and each row unfiltered into a small buffer that is then packed
 * straight into the PIX's words, with the bytes pixRead() gives (RGB alpha 255, 1 bpp
 * inverted, pad bits 0, pHYs in dpi, the first text chunk as the PIX's text). Anything else is
 * handed to pixRead() unchanged. CRCs are checked although the import checked them: the file
 * may have been damaged on disk since, and at several GB/s that check costs well under 1 ms.
 *
 * Fresh scans are stored as binary PNM (pe-sqlite-store.c), which pixRead() reads a byte at a
 * time through stdio: 387 ms for a 300 dpi colour page, 125 ms grey, 15 ms bitonal (median
 * thread CPU time, bench/store/README.md), more than cleaning the page. Here the header is
 * parsed and the rows are packed from the file in memory: 24 ms, 3.7 ms, 0.3 ms, the same
 * PIX to the byte. ASCII, 16-bit and other-maxval PNM still go to pixRead().
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <libdeflate.h>

#if defined(__SSE2__) && !defined(PE_IMAGE_READ_NO_SIMD)
# define USE_SSE2 1
# include <emmintrin.h>
#else
# define USE_SSE2 0
#endif

#include "pe-error.h"
#include "pe-image-read.h"

static const guint8 png_signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

/* The row loops read (and unfilter_paeth_3() writes) up to 4 bytes past a row's end. */
#define ROW_SLACK 32
/* Deflate cannot expand data more than 1032 times: a 258-byte match in two 1-bit codes. */
#define DEFLATE_MAX_RATIO 1032
/* Leptonica's own limits (pixCreateHeader()): fewer than 2^24 words a line, 2^31 bytes. */
#define PIX_MAX_WPL ((1u << 24) - 1)
#define PIX_MAX_BYTES ((G_GUINT64_CONSTANT (1) << 31) - 1)
/* No stored page comes near this; it keeps a damaged size field from allocating gigabytes. */
#define MAX_FILE_SIZE (G_GUINT64_CONSTANT (1) << 30)

typedef enum
{
  DECODE_OK,
  DECODE_FALLBACK,   /* a kind of PNG pixRead() handles */
  DECODE_CORRUPT,
  DECODE_TOO_LARGE,
} DecodeStatus;

typedef struct
{
  guint32       width;
  guint32       height;
  guint8        bit_depth;
  guint8        color_type;
  gboolean      have_phys;
  guint32       phys_x;
  guint32       phys_y;
  guint8        phys_unit;
  const guint8 *text;        /* the first tEXt chunk's data, if it is the first text chunk */
  gsize         text_len;
  const guint8 *first_idat;  /* the first IDAT chunk, from its length field */
  guint64       idat_len;    /* of all IDAT chunks together */
  guint         n_idat;
} PngInfo;

static inline guint32
read_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

/* Leptonica keeps pixels in native 32-bit words, the leftmost one in the most significant
 * bits: a PNG row's bytes read as big-endian words are already in that order. */
static inline guint32
load_be32 (const guint8 *p)
{
  guint32 v;

  memcpy (&v, p, 4);
  return GUINT32_FROM_BE (v);
}

static inline gboolean
chunk_is (const guint8 *type,
          const char   *name)
{
  return memcmp (type, name, 4) == 0;
}

static DecodeStatus
corrupt (const char **reason,
         const char  *what)
{
  *reason = what;
  return DECODE_CORRUPT;
}

/* --- unfiltering ------------------------------------------------------------------------ */

/* Each function writes one row's bytes to @out from the filtered bytes @in and the previous
 * row, already unfiltered, @prior (zeros for the first row). @n is the row's length, @bpp the
 * filter's pixel size: 1 for grey and bitonal rows, 3 for RGB. */

static void
unfilter_sub (guint8       *out,
              const guint8 *in,
              gsize         n,
              guint         bpp,
              l_uint32     *line)
{
  /* The left neighbour is kept in a register: through memory, every byte would wait for the
   * previous store to be forwarded. */
  if (bpp == 1)
    {
      guint8 a = 0;

      for (gsize i = 0; i < n; i++)
        out[i] = a = in[i] + a;
    }
  else
    {
      guint8 r = 0, g = 0, b = 0;

      /* RGB rows are packed here too (as pack_rgb() does), from the registers. */
      for (gsize i = 0, j = 0; i + 3 <= n; i += 3, j++)
        {
          out[i] = r = in[i] + r;
          out[i + 1] = g = in[i + 1] + g;
          out[i + 2] = b = in[i + 2] + b;
          line[j] = ((guint32) r << 24) | ((guint32) g << 16) | ((guint32) b << 8) | 0xff;
        }
    }
}

static void
unfilter_up (guint8       *out,
             const guint8 *in,
             const guint8 *prior,
             gsize         n)
{
  gsize i = 0;

#if USE_SSE2
  for (; i + 16 <= n; i += 16)
    _mm_storeu_si128 ((__m128i *) (out + i),
                      _mm_add_epi8 (_mm_loadu_si128 ((const __m128i *) (in + i)),
                                    _mm_loadu_si128 ((const __m128i *) (prior + i))));
#endif
  for (; i < n; i++)
    out[i] = in[i] + prior[i];
}

static void
unfilter_average (guint8       *out,
                  const guint8 *in,
                  const guint8 *prior,
                  gsize         n,
                  guint         bpp)
{
  /* Rare in scanned pages (none in the generated corpus), so kept simple. */
  for (gsize i = 0; i < bpp && i < n; i++)
    out[i] = in[i] + (prior[i] >> 1);
  for (gsize i = bpp; i < n; i++)
    out[i] = in[i] + ((out[i - bpp] + prior[i]) >> 1);
}

/* Paeth (PNG spec, 9.4) picks whichever of a (left), b (above) and c (above left) is nearest
 * to a + b - c, ties going to a, then b. Decoding, each pixel waits for its left neighbour's
 * result, so what counts is how much of the work waits for a. With t = b - c and s = a - c:
 * b wins when |s| < |t|, that is c - |t| < a < c + |t|; c wins when |s + t| < |s| and
 * |s + t| < |t|, that is 2a strictly between 2c - 4t and 2c - t (checked against the spec's
 * formula for all 2^24 triples). The bounds need only b and c, known a row ahead, and leave
 * a few compares and selects on the critical path instead of three absolute differences and
 * their comparisons. */
static inline int
paeth_predict (int a,
               int b,
               int c)
{
  int t = b - c;
  int abs_t = t < 0 ? -t : t;
  /* Open intervals as unsigned range checks: (unsigned) (x - first) < count. */
  guint b_first = c - abs_t + 1;
  guint b_count = abs_t > 0 ? 2 * abs_t - 1 : 0;
  guint c_first = 2 * c - (t > 0 ? 4 * t : t) + 1;
  guint c_count = abs_t > 0 ? 3 * abs_t - 1 : 0;
  int pred;

  /* Selects, not branches: on scanned pages the choice is noise. */
  pred = (guint) a - b_first < b_count ? b : a;
  pred = (guint) (2 * a) - c_first < c_count ? c : pred;
  return pred;
}

static void
unfilter_paeth_1 (guint8       *out,
                  const guint8 *in,
                  const guint8 *prior,
                  gsize         n)
{
  int a = 0, c = 0;

  for (gsize i = 0; i < n; i++)
    {
      int b = prior[i];

      a = (guint8) (in[i] + paeth_predict (a, b, c));
      out[i] = a;
      c = b;
    }
}

#if USE_SSE2

static inline __m128i
load4 (const guint8 *p)
{
  guint32 v;

  memcpy (&v, p, 4);
  return _mm_cvtsi32_si128 ((int) v);
}

static inline __m128i
load3 (const guint8 *p)
{
  guint32 v = 0;

  memcpy (&v, p, 3);
  return _mm_cvtsi32_si128 ((int) v);
}

/* Writes a pixel and one byte of garbage after it, which the next pixel overwrites (or lands
 * in the row buffer's slack); returns the 4 bytes as they are in memory. */
static inline guint32
store4 (guint8  *p,
        __m128i  v)
{
  guint32 t = (guint32) _mm_cvtsi128_si32 (v);

  memcpy (p, &t, 4);
  return t;
}

/* One RGB pixel at a time, its three channels side by side in 16-bit lanes (as libpng's and
 * libspng's SSE2 filters do): each pixel needs its left neighbour's result, so there is
 * nothing wider to do within a row. The choice is paeth_predict()'s, with bounds from b and c
 * only; a takes 2 compares, 2 ANDs and 3 XORs to its prediction. */
static void
unfilter_paeth_3 (guint8       *out,
                  const guint8 *in,
                  const guint8 *prior,
                  gsize         n,
                  l_uint32     *line)
{
  const __m128i zero = _mm_setzero_si128 ();
  __m128i a = zero, c = zero;

  for (gsize i = 0; i + 3 <= n; i += 3)
    {
      /* @prior has slack after it; @in may end the buffer, so its last pixel is read in 3. */
      __m128i b = _mm_unpacklo_epi8 (load4 (prior + i), zero);
      __m128i x = _mm_unpacklo_epi8 (i + 4 <= n ? load4 (in + i) : load3 (in + i), zero);
      __m128i t = _mm_sub_epi16 (b, c);
      __m128i abs_t = _mm_max_epi16 (t, _mm_sub_epi16 (zero, t));
      __m128i b_lo = _mm_sub_epi16 (c, abs_t);
      __m128i b_hi = _mm_add_epi16 (c, abs_t);
      __m128i c2 = _mm_add_epi16 (c, c);
      __m128i l = _mm_sub_epi16 (c2, _mm_slli_epi16 (t, 2));
      __m128i u = _mm_sub_epi16 (c2, t);
      __m128i c_lo = _mm_min_epi16 (l, u);
      __m128i c_hi = _mm_max_epi16 (l, u);
      __m128i a2 = _mm_add_epi16 (a, a);
      __m128i use_b = _mm_and_si128 (_mm_cmpgt_epi16 (a, b_lo), _mm_cmpgt_epi16 (b_hi, a));
      __m128i use_c = _mm_and_si128 (_mm_cmpgt_epi16 (a2, c_lo), _mm_cmpgt_epi16 (c_hi, a2));
      __m128i pred;

      use_b = _mm_andnot_si128 (use_c, use_b);
      pred = _mm_xor_si128 (a, _mm_and_si128 (use_c, _mm_xor_si128 (a, c)));
      pred = _mm_xor_si128 (pred, _mm_and_si128 (use_b, _mm_xor_si128 (a, b)));
      /* Bytes wrap modulo 256; the high bytes of the lanes stay 0. */
      a = _mm_add_epi8 (x, pred);
      /* The row is packed here too (as pack_rgb() does): this loop waits on its chain
       * anyway, so the extra work is almost free. */
      line[i / 3] = GUINT32_FROM_BE (store4 (out + i, _mm_packus_epi16 (a, a))) | 0xff;
      c = b;
    }
}

#else  /* !USE_SSE2 */

static void
unfilter_paeth_3 (guint8       *out,
                  const guint8 *in,
                  const guint8 *prior,
                  gsize         n,
                  l_uint32     *line)
{
  /* Three independent chains, one per channel, which the CPU runs side by side. */
  int ar = 0, ag = 0, ab = 0, cr = 0, cg = 0, cb = 0;

  for (gsize i = 0; i + 3 <= n; i += 3)
    {
      int br = prior[i], bg = prior[i + 1], bb = prior[i + 2];

      ar = (guint8) (in[i] + paeth_predict (ar, br, cr));
      ag = (guint8) (in[i + 1] + paeth_predict (ag, bg, cg));
      ab = (guint8) (in[i + 2] + paeth_predict (ab, bb, cb));
      out[i] = ar;
      out[i + 1] = ag;
      out[i + 2] = ab;
      line[i / 3] = ((guint32) ar << 24) | ((guint32) ag << 16) | ((guint32) ab << 8) | 0xff;
      cr = br;
      cg = bg;
      cb = bb;
    }
}

#endif  /* USE_SSE2 */

/* Returns FALSE for an unknown filter type. RGB rows are sometimes packed into @line on the
 * way (*@packed set to TRUE). */
static gboolean
unfilter_row (guint         filter,
              guint8       *out,
              const guint8 *in,
              const guint8 *prior,
              gsize         n,
              guint         bpp,
              l_uint32     *line,
              gboolean     *packed)
{
  *packed = FALSE;
  switch (filter)
    {
    case 0:
      memcpy (out, in, n);
      return TRUE;
    case 1:
      unfilter_sub (out, in, n, bpp, line);
      *packed = bpp == 3;
      return TRUE;
    case 2:
      unfilter_up (out, in, prior, n);
      return TRUE;
    case 3:
      unfilter_average (out, in, prior, n, bpp);
      return TRUE;
    case 4:
      if (bpp == 1)
        unfilter_paeth_1 (out, in, prior, n);
      else
        {
          unfilter_paeth_3 (out, in, prior, n, line);
          *packed = TRUE;
        }
      return TRUE;
    default:
      return FALSE;
    }
}

/* --- packing into the PIX --------------------------------------------------------------- */

/* @row has ROW_SLACK readable bytes after its end. */
static void
pack_rgb (l_uint32     *line,
          const guint8 *row,
          guint32       width)
{
  /* R, G, B from the top byte down; pixRead() sets the fourth (alpha) byte to 255. */
  for (guint32 j = 0; j < width; j++)
    line[j] = load_be32 (row + 3 * (gsize) j) | 0xff;
}

static void
pack_grey (l_uint32     *line,
           const guint8 *row,
           guint32       width,
           guint32       wpl)
{
  for (guint32 k = 0; k < wpl; k++)
    line[k] = load_be32 (row + 4 * (gsize) k);
  /* pixRead() leaves the pad bytes of a line 0 (pixSetPadBits()). */
  if (width % 4 != 0)
    line[wpl - 1] &= ~0u << (8 * (4 - width % 4));
}

static void
pack_bitonal (l_uint32     *line,
              const guint8 *row,
              guint32       width,
              guint32       wpl,
              guint32       invert)
{
  /* PNG has 0 for black, Leptonica and PBM 1: for PNG pixRead() inverts (@invert all ones);
   * the pad bits are cleared either way. */
  for (guint32 k = 0; k < wpl; k++)
    line[k] = load_be32 (row + 4 * (gsize) k) ^ invert;
  if (width % 32 != 0)
    line[wpl - 1] &= ~0u << (32 - width % 32);
}

/* --- chunks ------------------------------------------------------------------------------- */

static DecodeStatus
parse_ihdr (const guint8  *body,
            guint32        len,
            PngInfo       *info,
            const char   **reason)
{
  guint8 depth, type;

  if (len != 13)
    return corrupt (reason, N_("invalid header"));

  info->width = read_be32 (body);
  info->height = read_be32 (body + 4);
  info->bit_depth = depth = body[8];
  info->color_type = type = body[9];

  if (info->width == 0 || info->height == 0 || info->width > G_MAXINT32
      || info->height > G_MAXINT32)
    return corrupt (reason, N_("invalid image size"));
  if (body[10] != 0 || body[11] != 0 || body[12] > 1)
    return corrupt (reason, N_("invalid header"));
  switch (type)
    {
    case 0:
      if (depth != 1 && depth != 2 && depth != 4 && depth != 8 && depth != 16)
        return corrupt (reason, N_("invalid header"));
      break;
    case 3:
      if (depth != 1 && depth != 2 && depth != 4 && depth != 8)
        return corrupt (reason, N_("invalid header"));
      break;
    case 2:
    case 4:
    case 6:
      if (depth != 8 && depth != 16)
        return corrupt (reason, N_("invalid header"));
      break;
    default:
      return corrupt (reason, N_("invalid header"));
    }

  /* Interlaced, 16-bit, palette and alpha images are left to pixRead(). */
  if (body[12] != 0 || !((type == 0 && (depth == 1 || depth == 8)) || (type == 2 && depth == 8)))
    return DECODE_FALLBACK;
  return DECODE_OK;
}

/* Walks all chunks up to IEND, checking each one's CRC, as libpng does for the chunks that
 * matter to pixRead() (where libpng only warns, about ancillary chunks, the file is taken as
 * damaged here: every CRC was right when it was imported). */
static DecodeStatus
parse_chunks (const guint8  *data,
              gsize          len,
              PngInfo       *info,
              const char   **reason)
{
  gsize pos = sizeof png_signature;
  gboolean idat_ended = FALSE;
  gboolean have_plte = FALSE;
  gboolean seen_text = FALSE;

  memset (info, 0, sizeof *info);

  for (;;)
    {
      const guint8 *type, *body;
      guint32 clen;

      g_assert (pos <= len);
      if (len - pos < 12)
        return corrupt (reason, N_("the file ends too early"));
      clen = read_be32 (data + pos);
      type = data + pos + 4;
      body = type + 4;
      if (clen > G_MAXINT32)
        return corrupt (reason, N_("invalid chunk length"));
      if (clen > len - pos - 12)
        return corrupt (reason, N_("the file ends too early"));
      if (libdeflate_crc32 (0, type, (gsize) clen + 4) != read_be32 (body + clen))
        return corrupt (reason, N_("checksum error"));
      for (guint i = 0; i < 4; i++)
        if (!g_ascii_isalpha (type[i]))
          return corrupt (reason, N_("invalid chunk"));

      if (pos == sizeof png_signature)
        {
          DecodeStatus status;

          if (!chunk_is (type, "IHDR"))
            return corrupt (reason, N_("no header"));
          status = parse_ihdr (body, clen, info, reason);
          if (status != DECODE_OK)
            return status;
        }
      else if (chunk_is (type, "IDAT"))
        {
          /* libdeflate wants one stream: the IDATs must follow each other. */
          if (idat_ended)
            return corrupt (reason, N_("image data in pieces"));
          if (info->n_idat++ == 0)
            info->first_idat = data + pos;
          info->idat_len += clen;
        }
      else
        {
          if (info->n_idat > 0)
            idat_ended = TRUE;

          if (chunk_is (type, "IEND"))
            break;
          else if (chunk_is (type, "IHDR"))
            return corrupt (reason, N_("invalid header"));
          else if (chunk_is (type, "tRNS"))
            return DECODE_FALLBACK;
          else if (chunk_is (type, "tEXt") || chunk_is (type, "zTXt") || chunk_is (type, "iTXt"))
            {
              /* pixRead() keeps the first text chunk; compressed ones are left to it. */
              if (!seen_text && !chunk_is (type, "tEXt"))
                return DECODE_FALLBACK;
              if (!seen_text)
                {
                  info->text = body;
                  info->text_len = clen;
                }
              seen_text = TRUE;
            }
          else if (chunk_is (type, "pHYs"))
            {
              /* libpng ignores a pHYs after the image data, a second one, a wrong one. */
              if (info->n_idat == 0 && !info->have_phys && clen == 9)
                {
                  info->have_phys = TRUE;
                  info->phys_x = read_be32 (body);
                  info->phys_y = read_be32 (body + 4);
                  info->phys_unit = body[8];
                }
            }
          else if (chunk_is (type, "PLTE"))
            {
              /* A suggested palette: libpng ignores it in grey and RGB images, but fails on
               * a second one. */
              if (have_plte)
                return corrupt (reason, N_("invalid chunk"));
              have_plte = TRUE;
            }
          else if ((type[0] & 0x20) == 0)
            return corrupt (reason, N_("unknown critical chunk"));
        }

      pos += 12 + (gsize) clen;
    }

  if (info->n_idat == 0)
    return corrupt (reason, N_("no image data"));
  return DECODE_OK;
}

static void
set_text (PIX          *pix,
          const guint8 *text,
          gsize         len)
{
  /* As libpng reads it: the text after the keyword's NUL, up to the next NUL. */
  const guint8 *nul = memchr (text, 0, len);
  g_autofree char *value = NULL;

  if (nul != NULL)
    value = g_strndup ((const char *) nul + 1, len - (nul + 1 - text));
  else
    value = g_strdup ("");
  pixSetText (pix, value);
}

/* @data is the file, which this changes: the IDAT chunks are moved together in place. */
static DecodeStatus
decode_png (guint8       *data,
            gsize         len,
            PIX         **out,
            const char  **reason)
{
  PngInfo info;
  DecodeStatus status;
  g_autofree guint8 *own_raw = NULL;
  g_autofree guint8 *rows = NULL;
  g_autoptr(PIX) pix = NULL;
  struct libdeflate_decompressor *inflater;
  enum libdeflate_result result;
  guint8 *stream, *raw, *cur, *prior;
  gsize stream_used = 0;
  guint64 rowbytes, raw_len, wpl, pix_bytes;
  guint depth, bpp;
  l_uint32 *line;

  status = parse_chunks (data, len, &info, reason);
  if (status != DECODE_OK)
    return status;

  if (info.bit_depth == 1)
    {
      rowbytes = ((guint64) info.width + 7) / 8;
      depth = 1;
      bpp = 1;
    }
  else if (info.color_type == 0)
    {
      rowbytes = info.width;
      depth = 8;
      bpp = 1;
    }
  else
    {
      rowbytes = (guint64) info.width * 3;
      depth = 32;
      bpp = 3;
    }

  /* A header may claim any size; nothing is allocated for more than the file can hold. */
  raw_len = (guint64) info.height * (rowbytes + 1);
  if (raw_len > info.idat_len * DEFLATE_MAX_RATIO + 1024)
    return corrupt (reason, N_("image data too short for its size"));
  wpl = ((guint64) info.width * depth + 31) / 32;
  pix_bytes = 4 * wpl * info.height;
  if (wpl > PIX_MAX_WPL || pix_bytes > PIX_MAX_BYTES)
    return DECODE_TOO_LARGE;

  pix = pixCreateNoInit (info.width, info.height, depth);
  if (pix == NULL)
    return DECODE_TOO_LARGE;
  pixSetSpp (pix, depth == 32 ? 3 : 1);
  pixSetInputFormat (pix, IFF_PNG);

  /* Where a PIX line is longer than a filtered row (always for RGB: 4 bytes a pixel against
   * 3), the image data is inflated into the end of the PIX itself, which saves a 26 MB buffer
   * for a colour page. Line y, written after row y is read, then never reaches row y + 1:
   * with P bytes a line and R a row, the rows start at h (P - R), and (y + 1) P is at most
   * h (P - R) + (y + 1) R while y < h. */
  if (4 * wpl >= rowbytes + 1)
    raw = (guint8 *) pixGetData (pix) + (pix_bytes - raw_len);
  else
    {
      own_raw = g_try_malloc (raw_len);
      if (own_raw == NULL)
        return DECODE_TOO_LARGE;
      raw = own_raw;
    }

  /* libdeflate wants one stream: the IDAT chunks' data is moved over their headers. */
  stream = (guint8 *) info.first_idat + 8;
  if (info.n_idat > 1)
    {
      const guint8 *chunk = info.first_idat;
      gsize at = 0;

      for (guint i = 0; i < info.n_idat; i++)
        {
          guint32 clen = read_be32 (chunk);

          memmove (stream + at, chunk + 8, clen);
          at += clen;
          chunk += 12 + (gsize) clen;
        }
    }

  inflater = libdeflate_alloc_decompressor ();
  if (inflater == NULL)
    g_error ("%s: out of memory", G_STRLOC);
  /* The exact size: fewer or more bytes than the header asks for is damage. */
  result = libdeflate_zlib_decompress_ex (inflater, stream, info.idat_len, raw, raw_len,
                                          &stream_used, NULL);
  libdeflate_free_decompressor (inflater);
  switch (result)
    {
    case LIBDEFLATE_SUCCESS:
      break;
    case LIBDEFLATE_SHORT_OUTPUT:
      return corrupt (reason, N_("too little image data"));
    case LIBDEFLATE_INSUFFICIENT_SPACE:
      return corrupt (reason, N_("too much image data"));
    case LIBDEFLATE_BAD_DATA:
    default:
      return corrupt (reason, N_("damaged image data"));
    }
  if (stream_used != info.idat_len)
    return corrupt (reason, N_("extra data after the image data"));

  /* Two row buffers, the row being unfiltered and the one above it, stay in the L1 cache.
   * Only RGB rows write past their end (unfilter_paeth_3()), so pack_grey() reads zeros
   * there. */
  rows = g_malloc0 (2 * (rowbytes + ROW_SLACK));
  cur = rows;
  prior = rows + rowbytes + ROW_SLACK;
  line = pixGetData (pix);
  for (guint32 y = 0; y < info.height; y++)
    {
      const guint8 *in = raw + (gsize) y * (rowbytes + 1);
      gboolean packed;
      guint8 *swap;

      if (!unfilter_row (in[0], cur, in + 1, prior, rowbytes, bpp, line, &packed))
        return corrupt (reason, N_("unknown row filter"));
      if (!packed && depth == 32)
        pack_rgb (line, cur, info.width);
      else if (depth == 8)
        pack_grey (line, cur, info.width, wpl);
      else if (depth == 1)
        pack_bitonal (line, cur, info.width, wpl, ~0u);
      line += wpl;
      swap = cur;
      cur = prior;
      prior = swap;
    }

  {
    /* Exactly pixRead()'s conversion, float and all; only metres count in libpng. */
    guint32 xres = info.have_phys && info.phys_unit == 1 ? info.phys_x : 0;
    guint32 yres = info.have_phys && info.phys_unit == 1 ? info.phys_y : 0;

    pixSetXRes (pix, (l_int32) ((l_float32) xres / 39.37 + 0.5));
    pixSetYRes (pix, (l_int32) ((l_float32) yres / 39.37 + 0.5));
  }
  if (info.text != NULL)
    set_text (pix, info.text, info.text_len);

  *out = g_steal_pointer (&pix);
  return DECODE_OK;
}

/* --- PNM --------------------------------------------------------------------------------- */

/* P4, P5 or P6 and a whitespace: a binary PNM as far as the first bytes tell. */
static gboolean
is_pnm_head (const guint8 *head,
             gsize         len)
{
  return len >= 3 && head[0] == 'P' && head[1] >= '4' && head[1] <= '6' &&
         g_ascii_isspace (head[2]);
}

/* Skips whitespace and comments (from '#' to the end of the line) in a PNM header. */
static gboolean
pnm_skip (const guint8 *data,
          gsize         len,
          gsize        *pos)
{
  while (*pos < len)
    {
      if (data[*pos] == '#')
        {
          while (*pos < len && data[*pos] != '\n' && data[*pos] != '\r')
            (*pos)++;
        }
      else if (g_ascii_isspace (data[*pos]))
        {
          (*pos)++;
        }
      else
        {
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
pnm_number (const guint8 *data,
            gsize         len,
            gsize        *pos,
            guint32      *value)
{
  guint64 v = 0;

  if (!pnm_skip (data, len, pos) || !g_ascii_isdigit (data[*pos]))
    return FALSE;
  while (*pos < len && g_ascii_isdigit (data[*pos]))
    {
      v = v * 10 + (data[*pos] - '0');
      if (v > G_MAXINT32)
        return FALSE;
      (*pos)++;
    }
  *value = (guint32) v;
  return TRUE;
}

/* Binary PBM, 8-bit PGM and 8-bit PPM, as the store writes fresh scans (pixWriteMem() with
 * IFF_PNM); 16-bit and other-maxval PNM go to pixRead(), as ASCII PNM does. @data starts as
 * is_pnm_head() wants and has ROW_SLACK readable bytes after @len. */
static DecodeStatus
decode_pnm (const guint8  *data,
            gsize          len,
            PIX          **out,
            const char   **reason)
{
  g_autoptr(PIX) pix = NULL;
  guint32 width, height, maxval = 1, depth, wpl;
  guint64 rowbytes, pix_bytes;
  const guint8 *row;
  l_uint32 *line;
  gsize pos = 2;
  char kind;

  g_assert (is_pnm_head (data, len));
  kind = data[1];
  if (!pnm_number (data, len, &pos, &width) || !pnm_number (data, len, &pos, &height) ||
      (kind != '4' && !pnm_number (data, len, &pos, &maxval)))
    return corrupt (reason, N_("invalid header"));
  if (kind != '4' && maxval != 255)
    return DECODE_FALLBACK;
  /* Exactly one whitespace character ends the header. */
  if (pos >= len || !g_ascii_isspace (data[pos]) || width == 0 || height == 0)
    return corrupt (reason, N_("invalid header"));
  pos++;

  depth = kind == '4' ? 1 : kind == '5' ? 8 : 32;
  rowbytes = kind == '4' ? ((guint64) width + 7) / 8 : kind == '5' ? width : 3 * (guint64) width;
  wpl = ((guint64) width * depth + 31) / 32;
  pix_bytes = 4 * (guint64) wpl * height;
  if (wpl > PIX_MAX_WPL || pix_bytes > PIX_MAX_BYTES)
    return DECODE_TOO_LARGE;
  if (rowbytes * height > len - pos)
    return corrupt (reason, N_("too little image data"));

  pix = pixCreateNoInit (width, height, depth);
  if (pix == NULL)
    return DECODE_TOO_LARGE;
  pixSetSpp (pix, depth == 32 ? 3 : 1);
  pixSetInputFormat (pix, IFF_PNM);
  line = pixGetData (pix);
  row = data + pos;
  for (guint32 y = 0; y < height; y++, row += rowbytes, line += wpl)
    {
      if (depth == 32)
        {
          /* As pixRead() makes it: R, G, B from the top byte down, alpha byte 0. */
          for (guint32 j = 0; j < width; j++)
            line[j] = load_be32 (row + 3 * (gsize) j) & 0xffffff00u;
        }
      else if (depth == 8)
        {
          pack_grey (line, row, width, wpl);
        }
      else
        {
          pack_bitonal (line, row, width, wpl, 0);
        }
    }

  *out = g_steal_pointer (&pix);
  return DECODE_OK;
}

/* --- files -------------------------------------------------------------------------------- */

static gboolean
read_all (int      fd,
          guint8  *buf,
          gsize    want,
          gsize   *got)
{
  *got = 0;
  while (*got < want)
    {
      gssize n = read (fd, buf + *got, want - *got);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return FALSE;
      if (n == 0)
        break;
      *got += n;
    }
  return TRUE;
}

static void
set_read_error (GError     **error,
                const char  *path,
                int          saved_errno)
{
  if (saved_errno == ENOENT || saved_errno == ENOTDIR)
    g_set_error (error, PE_ERROR, PE_ERROR_NOT_FOUND,
                 _("The stored page image “%s” is missing. Scan or import that page again."),
                 path);
  else
    g_set_error (error, PE_ERROR, PE_ERROR_FAILED,
                 _("The stored page image “%s” cannot be read: %s. Check the disk and the "
                   "folder's permissions, then try again."),
                 path, g_strerror (saved_errno));
}

/* Reads the whole file, with ROW_SLACK zero bytes after it, if it starts like a PNG or a
 * binary PNM; leaves *@data NULL for anything else. */
static gboolean
load_file (const char  *path,
          guint8     **data,
          gsize       *len,
          GError     **error)
{
  guint8 head[sizeof png_signature];
  g_autofree guint8 *buf = NULL;
  struct stat st;
  gsize got = 0, got_rest = 0;
  int fd;

  *data = NULL;
  *len = 0;

  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      set_read_error (error, path, errno);
      return FALSE;
    }
  if (!read_all (fd, head, sizeof head, &got) || fstat (fd, &st) != 0)
    {
      int saved_errno = errno;

      close (fd);
      set_read_error (error, path, saved_errno);
      return FALSE;
    }
  if ((got < sizeof head || memcmp (head, png_signature, sizeof head) != 0) &&
      !is_pnm_head (head, got))
    {
      close (fd);
      return TRUE;
    }
  if ((guint64) st.st_size > MAX_FILE_SIZE)
    {
      close (fd);
      g_set_error (error, PE_ERROR, PE_ERROR_TOO_LARGE,
                   _("The stored page image “%s” is too large to be read. Scan or import "
                     "that page again at a lower resolution."), path);
      return FALSE;
    }

  buf = g_malloc (MAX ((gsize) st.st_size, got) + ROW_SLACK);
  memcpy (buf, head, got);
  if (!read_all (fd, buf + got, MAX ((gsize) st.st_size, got) - got, &got_rest))
    {
      int saved_errno = errno;

      close (fd);
      set_read_error (error, path, saved_errno);
      return FALSE;
    }
  close (fd);

  *len = got + got_rest;
  memset (buf + *len, 0, ROW_SLACK);
  *data = g_steal_pointer (&buf);
  return TRUE;
}

/* Decodes with the readers of our own, or sets *@fallback where pixRead() is to be used.
 * A PNM @data has ROW_SLACK readable bytes after @len. */
static PIX *
decode_or_fail (guint8       *data,
                gsize         len,
                const char   *path,
                gboolean     *fallback,
                GError      **error)
{
  const char *reason = NULL;
  PIX *pix = NULL;

  *fallback = FALSE;
  switch (is_pnm_head (data, len) ? decode_pnm (data, len, &pix, &reason)
                                  : decode_png (data, len, &pix, &reason))
    {
    case DECODE_OK:
      return pix;
    case DECODE_CORRUPT:
      g_set_error (error, PE_ERROR, PE_ERROR_CORRUPT,
                   _("The stored page image “%s” is damaged (%s). Scan or import that page "
                     "again."), path, _(reason));
      return NULL;
    case DECODE_TOO_LARGE:
      g_set_error (error, PE_ERROR, PE_ERROR_TOO_LARGE,
                   _("The stored page image “%s” is too large to be read. Scan or import that "
                     "page again at a lower resolution."), path);
      return NULL;
    case DECODE_FALLBACK:
    default:
      *fallback = TRUE;
      return NULL;
    }
}

PIX *
_pe_store_decode (guint8      *data,
                  gsize        len,
                  const char  *name,
                  gboolean    *unsupported,
                  GError     **error)
{
  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (unsupported != NULL, NULL);

  if ((len < sizeof png_signature || memcmp (data, png_signature, sizeof png_signature) != 0) &&
      !is_pnm_head (data, len))
    {
      *unsupported = TRUE;
      return NULL;
    }
  return decode_or_fail (data, len, name, unsupported, error);
}

PIX *
pe_store_read_image (const char  *path,
                     GError     **error)
{
  g_autofree guint8 *data = NULL;
  gboolean fallback = TRUE;
  gsize len = 0;
  PIX *pix;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!load_file (path, &data, &len, error))
    return NULL;

  if (data != NULL)
    {
      pix = decode_or_fail (data, len, path, &fallback, error);
      if (!fallback)
        return pix;
      g_clear_pointer (&data, g_free);
    }

  pix = pixRead (path);
  if (pix == NULL)
    {
      g_set_error (error, PE_ERROR, PE_ERROR_CORRUPT,
                   _("The stored page image “%s” cannot be decoded. Scan or import that page "
                     "again."), path);
      return NULL;
    }
  return pix;
}
