/* pe-clean-render.c: the full-size cleaned pages, made in one pass over the page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

/* tests/process builds this file a second time with PE_CLEAN_RENDER_SCALAR: without the vector
 * code and under another name, so that the scalar code (all that runs off x86) is compared with
 * the vector code on the machine that builds the tests. */
#ifdef PE_CLEAN_RENDER_SCALAR
#define _pe_clean_render _pe_clean_render_scalar
#elif defined (__SSE2__)
#define RENDER_SSE2 1
#endif

#include "pe-clean-private.h"

#ifdef G_OS_UNIX
#include <sys/mman.h>
#include <unistd.h>
#endif

#define WHITE_RGB 0xffffff00u

/* The page is made in tiles of STRIP × BAND destination pixels: at a skew of 2° a whole
 * destination row reads from ~90 source rows, more streams than the hardware prefetcher
 * follows; a 1024-pixel strip reads from a third of them and its band's source rows stay in
 * the cache for the next strip. On a skewed colour page this ran ~25 % faster than whole rows
 * (widths 128–4096 and bands 1–100000 tried). */
#define STRIP PE_CLEAN_RENDER_STRIP
#define BAND 16
/* A strip starts on a whole word of the 8 and 1 bpp rows (pack_grey(), pack_bits()). */
G_STATIC_ASSERT (STRIP % 32 == 0);

#ifdef RENDER_SSE2
#include <emmintrin.h>

/* min (v, 255) for unsigned 16-bit lanes (SSE2 has only the signed minimum). */
static inline __m128i
min255_epu16 (__m128i v)
{
  return _mm_sub_epi16 (v, _mm_subs_epu16 (v, _mm_set1_epi16 (255)));
}

/* (v * m) >> 8 for v <= 255 and any 16-bit m: exactly the scalar formula. */
static inline __m128i
lift_epu16 (__m128i v,
            __m128i m)
{
  return min255_epu16 (_mm_mulhi_epu16 (_mm_slli_epi16 (v, 8), m));
}

/* Channel @shift (24 red, 16 green, 8 blue) of 8 RGBA pixels as 16-bit lanes. */
static inline __m128i
channel_epu16 (__m128i p0,
               __m128i p1,
               int     shift)
{
  __m128i mask = _mm_set1_epi32 (0xff);

  return _mm_packs_epi32 (_mm_and_si128 (_mm_srl_epi32 (p0, _mm_cvtsi32_si128 (shift)), mask),
                          _mm_and_si128 (_mm_srl_epi32 (p1, _mm_cvtsi32_si128 (shift)), mask));
}
#endif

typedef struct
{
  const l_uint32 *datas;
  int             wpls;
  int             w, h;
  /* The background map's lift (8.8 fixed point) for every pixel of every tile row: grey, and
   * red, green, blue corrected for the paper's colour; mh rows of w. */
  const guint16  *mult_grey;
  const guint16  *mult_rgb[3];
  const gsize    *tile_row;   /* of source row y: offset of its tile row in the tables */
  const l_uint32 *edata;      /* erase mask at 1/factor, or NULL */
  int             ewpl, ew, eh, shift;
  const guint8   *erow;       /* per mask row: any bit set */
  const l_uint32 *sdata;      /* specks at full size, or NULL */
  int             swpl;
  const guint8   *srow;       /* per row: any speck */
  /* The rotation as shears (see render_row()): the shift of each column by the vertical
   * shear(s), how many columns from there share it, the shift of each row by the horizontal
   * one; three: vertical, horizontal, vertical (else horizontal, vertical). */
  const int      *vshift;
  const int      *vrun;
  const int      *hshift;
  gboolean        three;
} Render;

/* A run of @n source pixels of one row, from column @xs on, into the plain grey row @g and
 * (with @colour) the 32 bpp row @d. @depth and @colour are constants in each expansion. */
G_ALWAYS_INLINE static inline void
render_run (const Render *r,
            int           ys,
            int           xs,
            int           n,
            int           depth,
            gboolean      colour,
            guint8       *g,
            l_uint32     *d)
{
  const l_uint32 *ls = r->datas + (gsize) ys * r->wpls;
  gsize t = r->tile_row[ys] + xs;
  const guint16 *mg = r->mult_grey + t;
  int k = 0;

  if (depth == 32)
    {
      const l_uint32 *s = ls + xs;
      const guint16 *mr = colour ? r->mult_rgb[0] + t : NULL;
      const guint16 *mgr = colour ? r->mult_rgb[1] + t : NULL;
      const guint16 *mb = colour ? r->mult_rgb[2] + t : NULL;

#ifdef RENDER_SSE2
      /* Eight pixels at a time in 16-bit lanes: the whole pass took half the time of the
       * scalar loop below (a straight colour page, 25 → 11 ms). The last group overlaps the one
       * before instead of a scalar tail: runs are ~20 pixels on a skewed page, and a tail loop
       * of varying length cost a mispredicted branch per run. The overlap only recomputes
       * pixels of this run. */
      if (n >= 8)
        {
          for (int last = 0; !last; k += 8)
            {
              __m128i p0, p1, cr, cg, cb, lum, y;

              if (k + 8 >= n)
                {
                  k = n - 8;
                  last = 1;
                }
              p0 = _mm_loadu_si128 ((const __m128i *) (s + k));
              p1 = _mm_loadu_si128 ((const __m128i *) (s + k + 4));
              cr = channel_epu16 (p0, p1, 24);
              cg = channel_epu16 (p0, p1, 16);
              cb = channel_epu16 (p0, p1, 8);
              lum = _mm_srli_epi16 (_mm_add_epi16 (
                                _mm_add_epi16 (_mm_mullo_epi16 (cr, _mm_set1_epi16 (77)),
                                               _mm_mullo_epi16 (cg, _mm_set1_epi16 (150))),
                                _mm_add_epi16 (_mm_mullo_epi16 (cb, _mm_set1_epi16 (29)),
                                               _mm_set1_epi16 (128))), 8);
              y = lift_epu16 (lum, _mm_loadu_si128 ((const __m128i *) (mg + k)));

              _mm_storel_epi64 ((__m128i *) (g + k), _mm_packus_epi16 (y, y));
              if (colour)
                {
                  __m128i ored = lift_epu16 (cr, _mm_loadu_si128 ((const __m128i *) (mr + k)));
                  __m128i og = lift_epu16 (cg, _mm_loadu_si128 ((const __m128i *) (mgr + k)));
                  __m128i ob = lift_epu16 (cb, _mm_loadu_si128 ((const __m128i *) (mb + k)));
                  __m128i hi = _mm_or_si128 (_mm_slli_epi16 (ored, 8), og);   /* red, green */
                  __m128i lo = _mm_slli_epi16 (ob, 8);                       /* blue, 0 */

                  _mm_storeu_si128 ((__m128i *) (d + k), _mm_unpacklo_epi16 (lo, hi));
                  _mm_storeu_si128 ((__m128i *) (d + k + 4), _mm_unpackhi_epi16 (lo, hi));
                }
            }
          return;
        }
#endif
      for (; k < n; k++)
        {
          l_uint32 v = s[k];
          guint32 cr = v >> 24, cg = (v >> 16) & 0xff, cb = (v >> 8) & 0xff;
          guint32 y = (((77 * cr + 150 * cg + 29 * cb + 128) >> 8) * mg[k]) >> 8;

          g[k] = MIN (y, 255u);
          if (colour)
            {
              cr = (cr * mr[k]) >> 8;
              cg = (cg * mgr[k]) >> 8;
              cb = (cb * mb[k]) >> 8;
              d[k] = (MIN (cr, 255u) << 24) | (MIN (cg, 255u) << 16) | (MIN (cb, 255u) << 8);
            }
        }
    }
  else if (depth == 8)
    {
      /* The run's bytes in pixel order (Leptonica keeps them in big-endian words), then
       * lifted in place 16 at a time. */
      for (int q = 0; q < n; q++)
        g[q] = GET_DATA_BYTE (ls, xs + q);
#ifdef RENDER_SSE2
      if (n >= 16)
        {
          for (int last = 0; !last; k += 16)
            {
              __m128i v, zero = _mm_setzero_si128 ();

              if (k + 16 >= n)
                {
                  /* The last group overlaps the one before: lifting twice is not idempotent,
                   * so recompute those bytes from the source first. */
                  for (int q = n - 16; q < k; q++)
                    g[q] = GET_DATA_BYTE (ls, xs + q);
                  k = n - 16;
                  last = 1;
                }
              v = _mm_loadu_si128 ((const __m128i *) (g + k));
              v = _mm_packus_epi16 (
                    lift_epu16 (_mm_unpacklo_epi8 (v, zero),
                                _mm_loadu_si128 ((const __m128i *) (mg + k))),
                    lift_epu16 (_mm_unpackhi_epi8 (v, zero),
                                _mm_loadu_si128 ((const __m128i *) (mg + k + 8))));
              _mm_storeu_si128 ((__m128i *) (g + k), v);
            }
          return;
        }
#endif
      for (; k < n; k++)
        {
          guint32 y = (g[k] * (guint32) mg[k]) >> 8;

          g[k] = MIN (y, 255u);
        }
    }
  else
    {
      for (; k < n; k++)
        {
          guint32 y = ((GET_DATA_BIT (ls, xs + k) ? 0u : 255u) * mg[k]) >> 8;

          g[k] = MIN (y, 255u);
        }
    }
}

/* TRUE when the erase mask has a bit set for source columns [xs, xs + n) of row @ys. */
G_ALWAYS_INLINE static inline gboolean
run_erased (const Render *r,
            int           ys,
            int           xs,
            int           n)
{
  int ey = MIN (ys >> r->shift, r->eh - 1);
  const l_uint32 *line;
  int x0, x1;

  if (!r->erow[ey])
    return FALSE;
  line = r->edata + (gsize) ey * r->ewpl;
  x0 = MIN (xs >> r->shift, r->ew - 1);
  x1 = MIN ((xs + n - 1) >> r->shift, r->ew - 1);
  for (int x = x0; x <= x1; )
    {
      if ((x & 31) == 0 && x + 31 <= x1)
        {
          if (line[x >> 5] != 0)
            return TRUE;
          x += 32;
          continue;
        }
      if (GET_DATA_BIT (line, x))
        return TRUE;
      x++;
    }
  return FALSE;
}

/* TRUE when a speck lies in source columns [xs, xs + n) of row @ys. */
G_ALWAYS_INLINE static inline gboolean
run_specked (const Render *r,
             int           ys,
             int           xs,
             int           n)
{
  const l_uint32 *line = r->sdata + (gsize) ys * r->swpl;
  int k0 = xs >> 5, k1 = (xs + n - 1) >> 5;

  if (!r->srow[ys])
    return FALSE;
  for (int k = k0; k <= k1; k++)
    {
      l_uint32 v = line[k];

      if (k == k0)
        v &= 0xffffffffu >> (xs & 31);
      if (k == k1 && ((xs + n) & 31) != 0)
        v &= ~(0xffffffffu >> ((xs + n) & 31));
      if (v != 0)
        return TRUE;
    }
  return FALSE;
}

/* Source columns [xs, xs + n) of row @ys into destination pixels @g and @d (n of each). */
G_ALWAYS_INLINE static inline void
process_run (const Render *r,
             int           ys,
             int           xs,
             int           n,
             int           depth,
             gboolean      colour,
             guint8       *g,
             l_uint32     *d)
{
  if (r->sdata != NULL && run_specked (r, ys, xs, n))
    {
      /* Pixel by pixel: a few thousand specks on a page, each in one run. */
      const l_uint32 *sline = r->sdata + (gsize) ys * r->swpl;
      const l_uint32 *eline = r->edata != NULL ? r->edata + (gsize) MIN (ys >> r->shift,
                                                                        r->eh - 1) * r->ewpl
                                               : NULL;

      for (int k = 0; k < n; k++)
        {
          if (GET_DATA_BIT (sline, xs + k) ||
              (eline != NULL && GET_DATA_BIT (eline, MIN ((xs + k) >> r->shift, r->ew - 1))))
            {
              g[k] = 255;
              if (colour)
                d[k] = WHITE_RGB;
            }
          else
            {
              render_run (r, ys, xs + k, 1, depth, colour, g + k, colour ? d + k : NULL);
            }
        }
    }
  else if (r->edata != NULL && run_erased (r, ys, xs, n))
    {
      /* Cut at the mask's changes: white where erased, rendered elsewhere. */
      const l_uint32 *line = r->edata + (gsize) MIN (ys >> r->shift, r->eh - 1) * r->ewpl;

      for (int k = 0; k < n; )
        {
          int ex = MIN ((xs + k) >> r->shift, r->ew - 1);
          int bit = GET_DATA_BIT (line, ex);
          int end;

          while (ex + 1 < r->ew && (int) GET_DATA_BIT (line, ex + 1) == bit &&
                 ((ex + 1) << r->shift) - xs < n)
            ex++;
          end = ex + 1 >= r->ew ? n : MIN (n, ((ex + 1) << r->shift) - xs);
          if (bit)
            {
              memset (g + k, 255, end - k);
              if (colour)
                for (int q = k; q < end; q++)
                  d[q] = WHITE_RGB;
            }
          else
            {
              render_run (r, ys, xs + k, end - k, depth, colour, g + k,
                          colour ? d + k : NULL);
            }
          k = end;
        }
    }
  else
    {
      render_run (r, ys, xs, n, depth, colour, g, d);
    }
}

/* A run of the destination row: @n pixels from @i read source row @ys from column @xs on, or
 * are white (@ys < 0). */
typedef struct
{
  int i, n, xs, ys;
} Run;

/* Destination row @yd from column @x0, @len pixels, rotated as pixRotate() does by shear
 * (pixRotateShear(): a horizontal and a vertical shear up to 0.06 rad, vertical, horizontal,
 * vertical beyond), to the pixel: each shear shifts whole rows or columns by whole pixels.
 * Nearest-neighbour rotation, which doubles some pixels and drops others, made grey pages
 * that Tesseract read with 3.44 % instead of 3.13 % CER on the corpus, and a 3-shear of our
 * own 3.52 %: it read Leptonica's shears best, so these are they. Along a destination row the
 * vertical shift changes every 1 / tan θ pixels (~28 at 2°): in between, the row reads
 * consecutive pixels of one source row, a run. The runs are done @backward from the row's
 * end when the source goes up the page that way: the other way round ran much slower (the
 * hardware prefetcher follows one direction of row crossings, not the other). */
G_ALWAYS_INLINE static inline void
render_row (const Render *r,
            int           yd,
            int           x0,
            int           len,
            gboolean      backward,
            int           depth,
            gboolean      colour,
            guint8       *g,
            l_uint32     *d)
{
  /* Every run has at least one pixel: at most @len <= STRIP of them. */
  Run runs[PE_CLEAN_RENDER_STRIP];
  int n_runs = 0;
  int w = r->w, h = r->h;

  for (int i = 0; i < len; )
    {
      int x = x0 + i;
      int n = MIN (len - i, r->vrun[x]);
      int y1 = yd - r->vshift[x];
      Run run = { .i = i, .n = n, .ys = -1 };

      if (y1 >= 0 && y1 < h && !r->three)
        {
          run.xs = x + r->hshift[y1];
          run.ys = y1;
        }
      else if (y1 >= 0 && y1 < h)
        {
          int x2 = x + r->hshift[y1];

          if (x2 < 0)
            run.n = MIN (n, -x2);
          else if (x2 < w)
            {
              run.n = MIN (n, MIN (r->vrun[x2], w - x2));
              run.xs = x2;
              run.ys = y1 - r->vshift[x2];
              if (run.ys >= h)
                run.ys = -1;
            }
        }
      g_assert (run.n >= 1);
      runs[n_runs++] = run;
      i += run.n;
    }

  for (int k = 0; k < n_runs; k++)
    {
      const Run *run = &runs[backward ? n_runs - 1 - k : k];
      guint8 *gr = g + run->i;
      l_uint32 *dr = colour ? d + run->i : NULL;
      int lo = 0, hi = 0;

      /* Outside the page: white brought in. */
      if (run->ys >= 0)
        {
          lo = CLAMP (-run->xs, 0, run->n);
          hi = CLAMP (w - run->xs, lo, run->n);
        }
      if (hi > lo)
        process_run (r, run->ys, run->xs + lo, hi - lo, depth, colour, gr + lo,
                     colour ? dr + lo : NULL);
      for (int p = 0; p < run->n; p++)
        if (p < lo || p >= hi)
          {
            gr[p] = 255;
            if (colour)
              dr[p] = WHITE_RGB;
          }
    }
}

/* The signed shift of each of @n lines (rows for a horizontal shear, columns for a vertical
 * one) about line @loc by @radang, as pixHShear() and pixVShear() make it: their bands, their
 * float arithmetic. A destination pixel of row i is the source pixel shift[i] to the right
 * (horizontal); of column i, the one shift[i] up (vertical). */
static void
shear_shifts (int        n,
              int        loc,
              l_float32  radang,
              int       *shift)
{
  l_float32 tanangle = tan (radang), invangle;
  int sign = radang > 0 ? 1 : -1, init, incr, k, p;

  memset (shift, 0, n * sizeof (int));
  if (radang == 0.0f || tanangle == 0.0f)
    return;
  invangle = fabs (1. / tanangle);
  init = (int) (invangle / 2.);
  for (k = 1, p = loc + init; p < n; k++)
    {
      incr = (int) (invangle * (k + 0.5) + 0.5) - (p - loc);
      if (n - p < incr)
        incr = n - p;
      for (int q = MAX (p, 0); q < p + incr; q++)
        shift[q] = sign * k;
      p += incr;
    }
  for (k = -1, p = loc - init; p > 0; k--)
    {
      incr = (p - loc) - (int) (invangle * (k - 0.5) + 0.5);
      if (p < incr)
        incr = p;
      for (int q = p - incr; q < MIN (p, n); q++)
        shift[q] = sign * k;
      p -= incr;
    }
}

/* The plain grey row into Leptonica's 8 bpp layout (big-endian bytes in native words). */
static inline void
pack_grey (const guint8 *g,
           int           w,
           l_uint32     *line)
{
  int n = w / 4;

  for (int k = 0; k < n; k++)
    {
      guint32 v;

      memcpy (&v, g + 4 * k, sizeof v);
      line[k] = GUINT32_FROM_BE (v);
    }
  if (w % 4 != 0)
    {
      line[n] = 0;   /* pad bytes 0, as in a page Leptonica made */
      for (int x = n * 4; x < w; x++)
        SET_DATA_BYTE (line, x, g[x]);
    }
}

/* Ink (darker than @t) as 1 bpp, the first pixel the most significant bit; the pad bits at
 * the row's end stay 0. */
static inline void
pack_bits (const guint8 *g,
           int           w,
           int           t,
           l_uint32     *line)
{
  int n = w / 32, k = 0;

#ifdef RENDER_SSE2
  /* Unsigned g < t as signed bytes with the top bit flipped; movemask gives one bit per
   * pixel, the first pixel in bit 0, which is reversed into Leptonica's order. */
  __m128i flip = _mm_set1_epi8 ((char) 0x80);
  __m128i tv = _mm_xor_si128 (_mm_set1_epi8 ((char) t), flip);

  for (; k < n; k++)
    {
      __m128i a = _mm_xor_si128 (_mm_loadu_si128 ((const __m128i *) (g + 32 * k)), flip);
      __m128i b = _mm_xor_si128 (_mm_loadu_si128 ((const __m128i *) (g + 32 * k + 16)), flip);
      guint32 bits = (guint32) _mm_movemask_epi8 (_mm_cmplt_epi8 (a, tv)) |
                     (guint32) _mm_movemask_epi8 (_mm_cmplt_epi8 (b, tv)) << 16;

      /* Bit-reverse the word. */
      bits = ((bits >> 1) & 0x55555555u) | ((bits & 0x55555555u) << 1);
      bits = ((bits >> 2) & 0x33333333u) | ((bits & 0x33333333u) << 2);
      bits = ((bits >> 4) & 0x0f0f0f0fu) | ((bits & 0x0f0f0f0fu) << 4);
      line[k] = GUINT32_SWAP_LE_BE (bits);
    }
#endif
  for (; k < n; k++)
    {
      l_uint32 word = 0;

      for (int b = 0; b < 32; b++)
        word |= (l_uint32) (g[32 * k + b] < t) << (31 - b);
      line[k] = word;
    }
  if (w % 32 != 0)
    {
      l_uint32 word = 0;

      for (int x = n * 32; x < w; x++)
        word |= (l_uint32) (g[x] < t) << (31 - (x - n * 32));
      line[n] = word;
    }
}

/* Gives the kernel back the memory pages of @src's rows above @row, as far as whole pages
 * lie in them, from *@done (an address) on; @src is not read there again. */
static void
release_rows (PIX       *src,
              int        row,
              guintptr  *done)
{
#if defined (G_OS_UNIX) && defined (MADV_DONTNEED)
  gsize page_size = (gsize) sysconf (_SC_PAGESIZE);
  guintptr data = (guintptr) pixGetData (src), start, end;

  start = MAX (*done, (data + page_size - 1) & ~(guintptr) (page_size - 1));
  end = (data + (gsize) row * pixGetWpl (src) * 4) & ~(guintptr) (page_size - 1);
  /* In steps of a megabyte at least: a call costs a page-table walk and a TLB flush. */
  if (end < start + 1024 * 1024)
    return;
  if (madvise ((void *) start, end - start, MADV_DONTNEED) == 0)
    *done = end;
#endif
}

gboolean
_pe_clean_render (PIX                   *src,
                  const PeCleanAnalysis *a,
                  gboolean               normalize,
                  gboolean               erase,
                  PIX                   *specks,
                  double                 skew_deg,
                  int                    threshold,
                  PIX                  **colour,
                  PIX                  **grey,
                  PIX                  **bin,
                  gboolean               consume)
{
  g_autoptr(PIX) pc = NULL;
  g_autoptr(PIX) pg = NULL;
  g_autoptr(PIX) pb = NULL;
  g_autofree guint16 *mult = NULL;
  g_autofree gsize *tile_row = NULL;
  g_autofree guint8 *erow = NULL;
  g_autofree guint8 *srow = NULL;
  g_autofree guint8 *g = NULL;
  g_autofree int *vshift = NULL;
  g_autofree int *vrun = NULL;
  g_autofree int *hshift = NULL;
  PIX *inv_map = normalize ? a->inv_map : NULL;
  int depth = pixGetDepth (src);
  int w, h, mw = 1, mh = 1, sx = 1, sy = 1, empty = 1, planes, strip;
  double lum, gain[3];
  gboolean backward;
  int paper[3], reach = 0;
  guintptr released = 0;
  Render r = { 0 };

  g_assert (depth == 1 || depth == 8 || depth == 32);
  g_assert (colour == NULL || depth == 32);

  pixGetDimensions (src, &w, &h, NULL);
  if (colour != NULL && (pc = pixCreateNoInit (w, h, 32)) == NULL)
    return FALSE;
  if (grey != NULL && (pg = pixCreateNoInit (w, h, 8)) == NULL)
    return FALSE;
  if (bin != NULL && (pb = pixCreateNoInit (w, h, 1)) == NULL)
    return FALSE;
  threshold = CLAMP (threshold, 0, 255);

  /* Per tile and channel: the luminance map's lift times the paper-colour correction (what
   * pixApplyInvBackgroundRGBMap() would do with three maps), spread over each tile row at
   * full width: per pixel one load instead of two table look-ups. */
  if (inv_map != NULL)
    {
      sx = a->map_sx;
      sy = a->map_sy;
      pixGetDimensions (inv_map, &mw, &mh, NULL);
    }
  /* Without normalising, no paper-colour correction either. */
  for (int k = 0; k < 3; k++)
    paper[k] = inv_map != NULL ? a->paper[k] : 255;
  lum = (77.0 * paper[0] + 150.0 * paper[1] + 29.0 * paper[2]) / 256.0;
  for (int k = 0; k < 3; k++)
    gain[k] = lum / MAX (paper[k], 1);
  planes = colour != NULL ? 4 : 1;
  mult = g_new (guint16, (gsize) planes * mh * w);
  for (int j = 0; j < mh; j++)
    {
      guint16 *row = mult + (gsize) j * w;

      for (int i = 0, x = 0; i < mw; i++)
        {
          l_uint32 v = 256;
          /* Beyond the map's last tile (a map made at a lower resolution may stop a pixel or
           * two short of the edge) the last one holds. */
          int x_end = i == mw - 1 ? w : MIN (w, (i + 1) * sx);

          if (inv_map != NULL)
            pixGetPixel (inv_map, i, j, &v);
          for (; x < x_end; x++)
            {
              row[x] = (guint16) MIN (v, 65535u);
              for (int k = 1; k < planes; k++)
                row[(gsize) k * mh * w + x] = (guint16) MIN (65535.0, v * gain[k - 1]);
            }
        }
    }
  tile_row = g_new (gsize, h);
  for (int y = 0; y < h; y++)
    tile_row[y] = (gsize) MIN (y / sy, mh - 1) * w;

  /* Most pages have no border or hole: spare the test, and on the others the rows without
   * anything erased. */
  if (erase && a->erase != NULL && pixZero (a->erase, &empty) == 0 && !empty)
    {
      int ewpl = pixGetWpl (a->erase);

      r.edata = pixGetData (a->erase);
      r.ewpl = ewpl;
      pixGetDimensions (a->erase, &r.ew, &r.eh, NULL);
      while ((1 << r.shift) < a->factor)
        r.shift++;
      g_assert ((1 << r.shift) == a->factor);
      erow = g_new0 (guint8, r.eh);
      for (int y = 0; y < r.eh; y++)
        for (int k = 0; k < ewpl && !erow[y]; k++)
          erow[y] = r.edata[(gsize) y * ewpl + k] != 0;
      r.erow = erow;
    }

  if (specks != NULL)
    {
      int swpl = pixGetWpl (specks);

      g_assert (pixGetWidth (specks) == w && pixGetHeight (specks) == h);
      r.sdata = pixGetData (specks);
      r.swpl = swpl;
      srow = g_new0 (guint8, h);
      for (int y = 0; y < h; y++)
        for (int k = 0; k < swpl && !srow[y]; k++)
          srow[y] = r.sdata[(gsize) y * swpl + k] != 0;
      r.srow = srow;
    }

  r.datas = pixGetData (src);
  r.wpls = pixGetWpl (src);
  r.w = w;
  r.h = h;
  r.mult_grey = mult;
  for (int k = 0; k < 3; k++)
    r.mult_rgb[k] = colour != NULL ? mult + (gsize) (k + 1) * mh * w : NULL;
  r.tile_row = tile_row;

  /* Rotation about the centre, clockwise for positive angles as in pixRotate(), with its
   * limits: below 0.001 rad it does not rotate, up to 0.06 rad by two shears. */
  {
    l_float32 angle = (l_float32) (skew_deg * M_PI / 180.0);

    vshift = g_new (int, w);
    vrun = g_new (int, w);
    hshift = g_new (int, h);
    if (fabsf (angle) < 0.001f)
      angle = 0.0f;
    backward = angle < 0;
    r.three = fabsf (angle) > 0.06f;
    if (r.three)
      {
        shear_shifts (w, w / 2, (l_float32) (angle / 2.), vshift);
        shear_shifts (h, h / 2, (l_float32) atan (sin (angle)), hshift);
      }
    else
      {
        shear_shifts (w, w / 2, angle, vshift);
        shear_shifts (h, h / 2, angle, hshift);
      }
    for (int x = w - 1; x >= 0; x--)
      {
        vrun[x] = x + 1 < w && vshift[x + 1] == vshift[x] ? vrun[x + 1] + 1 : 1;
        reach = MAX (reach, vshift[x]);
      }
    /* A destination row yd reads source rows from yd - reach on (render_row()). */
    if (r.three)
      reach *= 2;
    r.vshift = vshift;
    r.vrun = vrun;
    r.hshift = hshift;
  }

  strip = MIN (w, STRIP);
  g = g_malloc (strip + 32);
  for (int y0 = 0; y0 < h; y0 += BAND)
    {
      if (consume && y0 > reach)
        release_rows (src, y0 - reach, &released);
      for (int x0 = 0; x0 < w; x0 += strip)
        for (int yd = y0, len = MIN (strip, w - x0); yd < MIN (h, y0 + BAND); yd++)
          {
            l_uint32 *lc = pc != NULL ? pixGetData (pc) + (gsize) yd * pixGetWpl (pc) + x0 : NULL;

            if (depth == 32 && pc != NULL)
              render_row (&r, yd, x0, len, backward, 32, TRUE, g, lc);
            else if (depth == 32)
              render_row (&r, yd, x0, len, backward, 32, FALSE, g, NULL);
            else if (depth == 8)
              render_row (&r, yd, x0, len, backward, 8, FALSE, g, NULL);
            else
              render_row (&r, yd, x0, len, backward, 1, FALSE, g, NULL);

            if (pg != NULL)
              pack_grey (g, len, pixGetData (pg) + (gsize) yd * pixGetWpl (pg) + x0 / 4);
            if (pb != NULL)
              pack_bits (g, len, threshold,
                         pixGetData (pb) + (gsize) yd * pixGetWpl (pb) + x0 / 32);
          }
    }

  if (colour != NULL)
    {
      pixCopyResolution (pc, src);
      *colour = g_steal_pointer (&pc);
    }
  if (grey != NULL)
    {
      pixCopyResolution (pg, src);
      *grey = g_steal_pointer (&pg);
    }
  if (bin != NULL)
    {
      pixCopyResolution (pb, src);
      *bin = g_steal_pointer (&pb);
    }
  return TRUE;
}
