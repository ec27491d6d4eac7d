/* pe-pdf-scan.c: the pages of a scanned PDF read as the images they are, without rendering
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <zlib.h>
#include <qpdf/qpdf-c.h>

#include "pe-pdf-scan.h"
#include "pe-types.h"

struct _PePdfScan
{
  qpdf_data q;
};

/* Takes qpdf's pending error, which it would otherwise print when cleaned up ("application
 * did not handle error"): a failure here only means the page is rendered. */
static void
forget_error (qpdf_data q)
{
  if (qpdf_has_error (q))
    (void) qpdf_get_error (q);
}

PePdfScan *
pe_pdf_scan_open (const char *path)
{
  qpdf_data q = qpdf_init ();
  PePdfScan *scan;

  g_return_val_if_fail (path != NULL, NULL);

  /* Failures are answered by rendering: qpdf is not to print them. */
  qpdf_silence_errors (q);
  qpdf_set_suppress_warnings (q, QPDF_TRUE);
  if ((qpdf_read (q, path, NULL) & QPDF_ERRORS) != 0 || qpdf_is_encrypted (q) ||
      (qpdf_push_inherited_attributes_to_page (q) & QPDF_ERRORS) != 0)
    {
      forget_error (q);
      qpdf_cleanup (&q);
      return NULL;
    }
  scan = g_new0 (PePdfScan, 1);
  scan->q = q;
  return scan;
}

void
pe_pdf_scan_free (PePdfScan *scan)
{
  if (scan == NULL)
    return;
  forget_error (scan->q);
  qpdf_cleanup (&scan->q);
  g_free (scan);
}

int
pe_pdf_scan_get_n_pages (PePdfScan *scan)
{
  int n;

  g_return_val_if_fail (scan != NULL, -1);

  n = qpdf_get_num_pages (scan->q);
  if (qpdf_has_error (scan->q))
    {
      forget_error (scan->q);
      return -1;
    }
  return n;
}

static gboolean
get_number (qpdf_data  q,
            qpdf_oh    oh,
            double    *value)
{
  if (!qpdf_oh_is_number (q, oh))
    return FALSE;
  *value = qpdf_oh_get_numeric_value (q, oh);
  return TRUE;
}

/* [0 0 w h] */
static gboolean
get_box (qpdf_data  q,
         qpdf_oh    box,
         double    *w,
         double    *h)
{
  double v[4];

  if (!qpdf_oh_is_array (q, box) || qpdf_oh_get_array_n_items (q, box) != 4)
    return FALSE;
  for (int i = 0; i < 4; i++)
    if (!get_number (q, qpdf_oh_get_array_item (q, box, i), &v[i]))
      return FALSE;
  *w = v[2];
  *h = v[3];
  return fabs (v[0]) < 0.01 && fabs (v[1]) < 0.01 && v[2] > 0 && v[3] > 0;
}

/* Only the keys in @allowed (NULL-terminated); their number in @n. */
static gboolean
dict_keys_within (qpdf_data          q,
                  qpdf_oh            dict,
                  const char *const *allowed,
                  guint             *n)
{
  *n = 0;
  if (!qpdf_oh_is_dictionary (q, dict))
    return FALSE;
  qpdf_oh_begin_dict_key_iter (q, dict);
  while (qpdf_oh_dict_more_keys (q))
    {
      const char *key = qpdf_oh_dict_next_key (q);

      if (allowed != NULL && !g_strv_contains (allowed, key))
        return FALSE;
      (*n)++;
    }
  return TRUE;
}

/* A PDF number: [+-] digits [. digits], or [+-] . digits (no exponent, no hex, no inf). */
static gboolean
is_pdf_number (const char *t)
{
  gboolean digit = FALSE, dot = FALSE;

  if (*t == '+' || *t == '-')
    t++;
  for (; *t != '\0'; t++)
    {
      if (g_ascii_isdigit (*t))
        digit = TRUE;
      else if (*t == '.' && !dot)
        dot = TRUE;
      else
        return FALSE;
    }
  return digit;
}

/* The content stream draws the one image over the whole page and does nothing else:
 * "[q] w 0 0 h 0 0 cm /Name Do [Q]" (as img2pdf, PIL and scanners write it). */
static gboolean
content_draws_only (qpdf_data   q,
                    qpdf_oh     page,
                    const char *name,
                    double      w,
                    double      h)
{
  unsigned char *buf = NULL;
  size_t len = 0;
  g_autofree char *text = NULL;
  g_auto(GStrv) tokens = NULL;
  const double expected[6] = { w, 0, 0, h, 0, 0 };
  GPtrArray *words;
  guint i = 0;
  gboolean ok = FALSE;

  /* NUL is white space to a PDF reader: operators may follow it. */
  if ((qpdf_oh_get_page_content_data (q, page, &buf, &len) & QPDF_ERRORS) != 0 || buf == NULL ||
      len > 4096 || memchr (buf, '\0', len) != NULL)
    {
      free (buf);
      return FALSE;
    }
  /* A name may follow an operator without white space ("cm/Im0"): split before a '/'. */
  {
    GString *spaced = g_string_sized_new (len + 8);

    for (gsize k = 0; k < len; k++)
      {
        if (buf[k] == '/')
          g_string_append_c (spaced, ' ');
        g_string_append_c (spaced, (char) buf[k]);
      }
    text = g_string_free (spaced, FALSE);
  }
  free (buf);
  tokens = g_strsplit_set (text, " \t\r\n\f", -1);
  words = g_ptr_array_new ();
  for (guint k = 0; tokens[k] != NULL; k++)
    if (tokens[k][0] != '\0')
      g_ptr_array_add (words, tokens[k]);

  if (i < words->len && strcmp (words->pdata[i], "q") == 0)
    i++;
  if (i + 9 > words->len)
    goto out;
  for (int k = 0; k < 6; k++, i++)
    if (!is_pdf_number (words->pdata[i]) ||
        fabs (g_ascii_strtod (words->pdata[i], NULL) - expected[k]) > 0.5)
      goto out;
  if (strcmp (words->pdata[i++], "cm") != 0 || strcmp (words->pdata[i++], name) != 0 ||
      strcmp (words->pdata[i++], "Do") != 0)
    goto out;
  if (i < words->len && strcmp (words->pdata[i], "Q") == 0)
    i++;
  ok = i == words->len;

out:
  g_ptr_array_unref (words);
  return ok;
}

/* The one filter of the image dict @dict, or NULL; its parameters in *@parms. */
static const char *
single_filter (qpdf_data  q,
               qpdf_oh    dict,
               qpdf_oh   *parms)
{
  qpdf_oh f = qpdf_oh_get_key (q, dict, "/Filter");

  *parms = qpdf_oh_get_key (q, dict, "/DecodeParms");
  if (qpdf_oh_is_array (q, f))
    {
      if (qpdf_oh_get_array_n_items (q, f) != 1)
        return NULL;
      f = qpdf_oh_get_array_item (q, f, 0);
      if (qpdf_oh_is_array (q, *parms))
        *parms = qpdf_oh_get_array_n_items (q, *parms) == 1
                 ? qpdf_oh_get_array_item (q, *parms, 0) : qpdf_oh_new_null (q);
    }
  if (!qpdf_oh_is_name (q, f))
    return NULL;
  return qpdf_oh_get_name (q, f);
}

/* Integer entry @key of the dictionary @dict (a boolean one with @boolean), @fallback when
 * absent (or @dict is none: DecodeParms may be missing); G_MININT when it is something
 * else. */
static int
dict_scalar (qpdf_data   q,
             qpdf_oh     dict,
             const char *key,
             int         fallback,
             gboolean    boolean)
{
  qpdf_oh oh;

  if (!qpdf_oh_is_dictionary (q, dict) || !qpdf_oh_has_key (q, dict, key))
    return fallback;
  oh = qpdf_oh_get_key (q, dict, key);
  if (boolean)
    return qpdf_oh_is_bool (q, oh) ? qpdf_oh_get_bool_value (q, oh) : G_MININT;
  return qpdf_oh_is_integer (q, oh) ? qpdf_oh_get_int_value_as_int (q, oh) : G_MININT;
}

static void
put_le (GByteArray *b,
        guint32     v,
        guint       n)
{
  for (guint i = 0; i < n; i++)
    {
      guint8 byte = v >> (8 * i);

      g_byte_array_append (b, &byte, 1);
    }
}

/* A one-strip little-endian TIFF around CCITT Group 4 data. The fax code tells white runs
 * from black ones; PDF's BlackIs1 says whether the black runs come out as 1 (white, in a
 * DeviceGray image) or 0 (black): TIFF's photometric interpretation says the same. */
static GBytes *
wrap_g4_tiff (const guint8 *data,
              gsize         len,
              int           w,
              int           h,
              gboolean      black_is_1)
{
  /* tag, type (3 SHORT, 4 LONG), value */
  const guint32 tags[][3] = {
    { 256, 4, w }, { 257, 4, h }, { 258, 3, 1 }, { 259, 3, 4 }, { 262, 3, black_is_1 ? 1 : 0 },
    { 266, 3, 1 }, { 273, 4, 0 /* data offset */ }, { 277, 3, 1 }, { 278, 4, h },
    { 279, 4, len },
  };
  guint n = G_N_ELEMENTS (tags);
  guint32 data_offset = 8 + 2 + 12 * n + 4;
  GByteArray *b = g_byte_array_sized_new (data_offset + len);

  g_byte_array_append (b, (const guint8 *) "II", 2);
  put_le (b, 42, 2);
  put_le (b, 8, 4);
  put_le (b, n, 2);
  for (guint i = 0; i < n; i++)
    {
      put_le (b, tags[i][0], 2);
      put_le (b, tags[i][1], 2);
      put_le (b, 1, 4);
      put_le (b, tags[i][0] == 273 ? data_offset : tags[i][2], 4);
    }
  put_le (b, 0, 4);
  g_byte_array_append (b, data, len);
  return g_byte_array_free_to_bytes (b);
}

/* Inflates @data (zlib) row by row into a new page of @w × @h: 8 bpp for @channels 1, 32 bpp
 * for 3. */
static PIX *
inflate_image (const guint8 *data,
               gsize         len,
               int           w,
               int           h,
               int           channels)
{
  gsize row_len = (gsize) w * channels;
  g_autofree guint8 *row = g_malloc (row_len);
  g_autoptr(PIX) pix = pixCreateNoInit (w, h, channels == 3 ? 32 : 8);
  z_stream z = { 0 };
  int y = 0, rc = Z_OK;

  if (pix == NULL || inflateInit (&z) != Z_OK)
    return NULL;
  z.next_in = (Bytef *) data;
  z.avail_in = (uInt) MIN (len, G_MAXUINT);
  while (y < h && rc == Z_OK)
    {
      l_uint32 *line = pixGetData (pix) + (gsize) y * pixGetWpl (pix);

      z.next_out = row;
      z.avail_out = (uInt) row_len;
      while (z.avail_out > 0 && rc == Z_OK)
        rc = inflate (&z, Z_NO_FLUSH);
      if (z.avail_out > 0)
        break;
      if (channels == 1)
        for (int x = 0; x < w; x++)
          SET_DATA_BYTE (line, x, row[x]);
      else
        for (int x = 0; x < w; x++)
          line[x] = (l_uint32) row[3 * x] << 24 | (l_uint32) row[3 * x + 1] << 16 |
                    (l_uint32) row[3 * x + 2] << 8;
      y++;
    }
  inflateEnd (&z);
  if (y < h)
    return NULL;
  pixSetPadBits (pix, 0);
  if (channels == 3)
    pixSetSpp (pix, 3);
  return g_steal_pointer (&pix);
}

static void
put_chunk (GByteArray   *png,
           const char   *type,
           const guint8 *data,
           gsize         len)
{
  guint8 be[4] = { len >> 24, len >> 16, len >> 8, len };
  uLong crc = crc32 (0, (const Bytef *) type, 4);

  g_assert (len <= G_MAXINT32);   /* PNG's limit; png_data_ok() saw to it */
  /* Not for IEND: given no data, crc32() answers its initial value. */
  if (len > 0)
    crc = crc32 (crc, data, (uInt) len);
  g_byte_array_append (png, be, 4);
  g_byte_array_append (png, (const guint8 *) type, 4);
  g_byte_array_append (png, data, len);
  be[0] = crc >> 24;
  be[1] = crc >> 16;
  be[2] = crc >> 8;
  be[3] = crc;
  g_byte_array_append (png, be, 4);
}

/* What the store's PNG reader will demand of the data (pe-image-read.c), which Poppler would
 * forgive: a whole zlib stream with its checksum, nothing after it, exactly @h rows of
 * 1 + @rowbytes bytes, each with a PNG filter type (0–4). Inflated once through a small
 * buffer (~60 ms for a colour page at 300 dpi, against ~300 ms for drawing it). */
static gboolean
png_data_ok (const guint8 *zdata,
             gsize         len,
             gsize         rowbytes,
             int           h)
{
  guint8 out[65536];
  z_stream z = { 0 };
  guint64 total = 0, next = 0, want = (guint64) h * (rowbytes + 1);
  int rc = Z_OK;
  gboolean ok = TRUE;

  /* One IDAT chunk holds at most 2^31 - 1 bytes. */
  if (len > G_MAXINT32 || inflateInit (&z) != Z_OK)
    return FALSE;
  z.next_in = (Bytef *) zdata;
  z.avail_in = (uInt) len;
  while (rc == Z_OK && ok)
    {
      z.next_out = out;
      z.avail_out = sizeof out;
      rc = inflate (&z, Z_NO_FLUSH);
      /* The filter bytes in what came out (next: where the next one is). */
      for (; next < total + (sizeof out - z.avail_out) && ok; next += rowbytes + 1)
        ok = next < want && out[next - total] <= 4;
      total += sizeof out - z.avail_out;
      ok = ok && total <= want;
      if (rc == Z_OK && z.avail_in == 0 && z.avail_out > 0)
        break;   /* cut off */
    }
  inflateEnd (&z);
  return ok && rc == Z_STREAM_END && z.avail_in == 0 && total == want;
}

/* A Flate stream with PNG predictors is a PNG's image data as it is (every row begins with
 * its filter type): given an IHDR and an IEND around it, it is a PNG file, taken by the store
 * and the cleanup like an imported one and decoded only there. */
static GBytes *
wrap_png (const guint8 *zdata,
          gsize         len,
          int           w,
          int           h,
          int           channels,
          guint         dpi)
{
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  guint32 ppm = (guint32) (dpi / 0.0254 + 0.5);
  guint8 ihdr[13] = {
    w >> 24, w >> 16, w >> 8, w, h >> 24, h >> 16, h >> 8, h,
    8, channels == 3 ? 2 : 0, 0, 0, 0,
  };
  guint8 phys[9] = {
    ppm >> 24, ppm >> 16, ppm >> 8, ppm, ppm >> 24, ppm >> 16, ppm >> 8, ppm, 1,
  };
  GByteArray *png = g_byte_array_sized_new (len + 128);

  g_byte_array_append (png, signature, sizeof signature);
  put_chunk (png, "IHDR", ihdr, sizeof ihdr);
  put_chunk (png, "pHYs", phys, sizeof phys);
  put_chunk (png, "IDAT", zdata, len);
  put_chunk (png, "IEND", NULL, 0);
  return g_byte_array_free_to_bytes (png);
}

/* What a page's image is taken as. */
typedef enum
{
  KIND_JPEG,       /* DCT: the JPEG as it is */
  KIND_G4,         /* CCITT Group 4: decoded from a TIFF around it */
  KIND_PNG_DATA,   /* Flate with PNG predictors: a PNG around it */
  KIND_FLATE,      /* Flate without predictor: inflated */
} Kind;

gboolean
pe_pdf_scan_page (PePdfScan  *scan,
                  int         index,
                  guint       max_dpi,
                  GBytes    **file,
                  gboolean   *is_png,
                  PIX       **pix,
                  guint      *dpi)
{
  static const char *const page_resources[] = { "/XObject", "/ProcSet", NULL };
  qpdf_data q;
  qpdf_oh page, box, resources, xobjects, image;
  g_autofree char *name = NULL;
  unsigned char *raw = NULL;
  size_t raw_len = 0;
  double pw, ph, cw, ch, dx, dy;
  int w, h, bpc, channels, black_is_1 = FALSE;
  guint n;
  Kind kind;

  g_return_val_if_fail (scan != NULL, FALSE);
  g_return_val_if_fail (file != NULL && is_png != NULL && pix != NULL && dpi != NULL, FALSE);

  *file = NULL;
  *is_png = FALSE;
  *pix = NULL;
  q = scan->q;
  forget_error (q);
  page = qpdf_get_page_n (q, index);
  if (qpdf_has_error (q) || !qpdf_oh_is_dictionary (q, page))
    goto no;

  /* Upright, uncropped, in points, nothing drawn over it. */
  if (dict_scalar (q, page, "/Rotate", 0, FALSE) % 360 != 0)
    goto no;
  if (qpdf_oh_has_key (q, page, "/UserUnit") || qpdf_oh_has_key (q, page, "/Annots"))
    goto no;
  if (!get_box (q, qpdf_oh_get_key (q, page, "/MediaBox"), &pw, &ph))
    goto no;
  box = qpdf_oh_get_key (q, page, "/CropBox");
  if (!qpdf_oh_is_null (q, box) &&
      !(get_box (q, box, &cw, &ch) && fabs (cw - pw) < 0.01 && fabs (ch - ph) < 0.01))
    goto no;

  /* One image and nothing else: no fonts (a text layer), no graphics states. */
  resources = qpdf_oh_get_key (q, page, "/Resources");
  if (!dict_keys_within (q, resources, page_resources, &n))
    goto no;
  xobjects = qpdf_oh_get_key (q, resources, "/XObject");
  if (!dict_keys_within (q, xobjects, NULL, &n) || n != 1)
    goto no;
  qpdf_oh_begin_dict_key_iter (q, xobjects);
  name = g_strdup (qpdf_oh_dict_next_key (q));
  image = qpdf_oh_get_key (q, xobjects, name);
  if (!qpdf_oh_is_stream (q, image))
    goto no;
  {
    qpdf_oh dict = qpdf_oh_get_dict (q, image);
    qpdf_oh cs = qpdf_oh_get_key (q, dict, "/ColorSpace");
    qpdf_oh parms;
    /* qpdf's: good until its next name is asked for, so used up within this block. */
    const char *filter;

    if (!qpdf_oh_is_name_and_equals (q, qpdf_oh_get_key (q, dict, "/Subtype"), "/Image") ||
        qpdf_oh_has_key (q, dict, "/SMask") || qpdf_oh_has_key (q, dict, "/Mask") ||
        qpdf_oh_has_key (q, dict, "/Decode") || qpdf_oh_has_key (q, dict, "/ImageMask") ||
        qpdf_oh_has_key (q, dict, "/OC"))
      goto no;
    /* Absent or not integers, they are G_MININT. */
    w = dict_scalar (q, dict, "/Width", G_MININT, FALSE);
    h = dict_scalar (q, dict, "/Height", G_MININT, FALSE);
    bpc = dict_scalar (q, dict, "/BitsPerComponent", G_MININT, FALSE);
    if ((bpc != 8 && bpc != 1) || w <= 0 || h <= 0)
      goto no;
    if (qpdf_oh_is_name_and_equals (q, cs, "/DeviceRGB"))
      channels = 3;
    else if (qpdf_oh_is_name_and_equals (q, cs, "/DeviceGray"))
      channels = 1;
    else
      goto no;
    filter = single_filter (q, dict, &parms);
    if (filter == NULL || (bpc == 1) != (strcmp (filter, "/CCITTFaxDecode") == 0))
      goto no;
    if (bpc == 1)
      {
        kind = KIND_G4;
        /* Group 4 (K < 0), rows not byte-aligned, as wide and high as the image (what a
         * scanner's bitonal page is): a TIFF says all that. */
        int k = dict_scalar (q, parms, "/K", 0, FALSE);

        if (channels != 1 || k >= 0 || k == G_MININT ||
            dict_scalar (q, parms, "/Columns", 1728, FALSE) != w ||
            dict_scalar (q, parms, "/Rows", h, FALSE) != h ||
            dict_scalar (q, parms, "/EncodedByteAlign", FALSE, TRUE) != FALSE ||
            (black_is_1 = dict_scalar (q, parms, "/BlackIs1", FALSE, TRUE)) == G_MININT)
          goto no;
      }
    else if (strcmp (filter, "/DCTDecode") == 0)
      {
        kind = KIND_JPEG;
        /* Its colour transform as the JPEG says (what libjpeg does). */
        if (dict_scalar (q, parms, "/ColorTransform", -2, FALSE) != -2)
          goto no;
      }
    else if (strcmp (filter, "/FlateDecode") == 0)
      {
        int predictor = dict_scalar (q, parms, "/Predictor", 1, FALSE);

        /* None, or PNG's (10–15: a filter type in front of every row). */
        if (predictor == 1)
          kind = KIND_FLATE;
        else if (predictor >= 10 && predictor <= 15 &&
                 dict_scalar (q, parms, "/Colors", 1, FALSE) == channels &&
                 dict_scalar (q, parms, "/BitsPerComponent", 8, FALSE) == 8 &&
                 dict_scalar (q, parms, "/Columns", 1, FALSE) == w)
          kind = KIND_PNG_DATA;
        else
          goto no;
      }
    else
      {
        goto no;
      }
  }
  if (!content_draws_only (q, page, name, pw, ph))
    goto no;

  /* Its resolution, the same both ways and plausible for a scan. */
  dx = w * 72.0 / pw;
  dy = h * 72.0 / ph;
  if (fabs (dx - dy) > 0.01 * dx || dx < 72 || dx > max_dpi * 1.01)
    goto no;
  *dpi = (guint) (dx + 0.5);

  if ((qpdf_oh_get_stream_data (q, image, qpdf_dl_none, NULL, &raw, &raw_len) & QPDF_ERRORS) != 0 ||
      raw == NULL)
    goto no;
  switch (kind)
    {
    case KIND_JPEG:
      {
        l_int32 jw = 0, jh = 0, spp = 0, ycck = 0, cmyk = 0;

        /* What the file says the image is, it must be (Poppler would trust the stream). */
        if (readHeaderMemJpeg (raw, raw_len, &jw, &jh, &spp, &ycck, &cmyk) != 0 || jw != w ||
            jh != h || spp != channels || ycck || cmyk)
          goto no;
        /* qpdf's malloc() is g_malloc()'s. */
        *file = g_bytes_new_take (g_steal_pointer (&raw), raw_len);
      }
      break;
    case KIND_G4:
      {
        g_autoptr(GBytes) tiff = wrap_g4_tiff (raw, raw_len, w, h, black_is_1);

        *pix = pixReadMemTiff (g_bytes_get_data (tiff, NULL), g_bytes_get_size (tiff), 0);
        if (*pix == NULL || pixGetDepth (*pix) != 1 || pixGetWidth (*pix) != w ||
            pixGetHeight (*pix) != h)
          {
            pixDestroy (pix);
            goto no;
          }
      }
      break;
    case KIND_PNG_DATA:
      if (!png_data_ok (raw, raw_len, (gsize) w * channels, h))
        goto no;
      *file = wrap_png (raw, raw_len, w, h, channels, *dpi);
      *is_png = TRUE;
      break;
    case KIND_FLATE:
      *pix = inflate_image (raw, raw_len, w, h, channels);
      if (*pix == NULL)
        goto no;
      break;
    }
  if (*pix != NULL)
    pixSetResolution (*pix, *dpi, *dpi);
  /* A qpdf call that failed on the way answers with a default value: trust none of them. */
  if (qpdf_has_error (q))
    {
      g_clear_pointer (file, g_bytes_unref);
      pixDestroy (pix);
      goto no;
    }
  free (raw);
  qpdf_oh_release_all (q);
  return TRUE;

no:
  free (raw);
  forget_error (q);
  qpdf_oh_release_all (q);
  return FALSE;
}
