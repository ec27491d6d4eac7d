/* pe-pdf-image.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>
#include <zlib.h>

#include "pe-error.h"
#include "pe-types.h"
#include "pe-pdf-image.h"

void
_pe_pdf_image_clear (PePdfImage *image)
{
  g_clear_pointer (&image->decode_parms, g_free);
  g_clear_pointer (&image->data, g_bytes_unref);
}

void
_pe_pdf_image_set_decode_parms (PePdfImage *image)
{
  g_clear_pointer (&image->decode_parms, g_free);

  /* Leptonica's 1 means black and is encoded as black, which is what the decoder's default
   * BlackIs1 false turns into 0 = black in DeviceGray, and into "paint here" for a stencil. */
  if (g_str_equal (image->filter, "CCITTFaxDecode"))
    image->decode_parms = g_strdup_printf ("<< /K -1 /Columns %u /Rows %u >>",
                                           image->width, image->height);
  /* 1 bpp Flate rows go in without a predictor (it gains nothing there) */
  else if (g_str_equal (image->filter, "FlateDecode") && image->bits_per_component == 8)
    image->decode_parms =
      g_strdup_printf ("<< /Predictor 15 /Colors %u /BitsPerComponent 8 /Columns %u >>",
                       g_strcmp0 (image->color_space, "DeviceRGB") == 0 ? 3 : 1, image->width);
}

GBytes *
_pe_pdf_deflate (const guint8 *data,
                 gsize         len,
                 int           level)
{
  uLongf out_len = compressBound (len);
  guint8 *out = g_malloc (out_len);

  if (compress2 (out, &out_len, data, len, level) != Z_OK)
    g_error ("zlib compress2 failed");   /* only on out-of-memory or a bad level */

  return g_bytes_new_take (g_realloc (out, out_len), out_len);
}

static guint32
tiff_get (const guint8 *p,
          gboolean      le,
          guint         size)
{
  if (size == 2)
    return le ? p[0] | (p[1] << 8) : (p[0] << 8) | p[1];
  return le ? p[0] | (p[1] << 8) | (p[2] << 16) | ((guint32) p[3] << 24)
            : ((guint32) p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
}

/* The one strip of the single-image TIFF that pixWriteMemTiff() produced. Leptonica writes
 * the whole image as one strip (RowsPerStrip = height), which is exactly a CCITT G4 stream;
 * several strips could not be concatenated (each restarts coding), so they are refused. */
static gboolean
tiff_get_strip (const guint8 *tiff,
                gsize         len,
                gsize        *strip_offset,
                gsize        *strip_len)
{
  gboolean le;
  guint32 ifd;
  guint n;
  gssize offset = -1, count = -1;

  if (len < 8)
    return FALSE;
  if (memcmp (tiff, "II*\0", 4) == 0)
    le = TRUE;
  else if (memcmp (tiff, "MM\0*", 4) == 0)
    le = FALSE;
  else
    return FALSE;

  ifd = tiff_get (tiff + 4, le, 4);
  if (ifd + 2 > len)
    return FALSE;
  n = tiff_get (tiff + ifd, le, 2);
  if (ifd + 2 + 12 * (gsize) n > len)
    return FALSE;

  for (guint i = 0; i < n; i++)
    {
      const guint8 *e = tiff + ifd + 2 + 12 * i;
      guint tag = tiff_get (e, le, 2);
      guint type = tiff_get (e + 2, le, 2);
      guint32 num = tiff_get (e + 4, le, 4);
      guint32 value = type == 3 ? tiff_get (e + 8, le, 2) : tiff_get (e + 8, le, 4);

      if ((tag == 273 || tag == 279) && num != 1)
        return FALSE;
      if (tag == 273)
        offset = value;
      else if (tag == 279)
        count = value;
      else if (tag == 259 && value != 4)   /* Compression: T6 */
        return FALSE;
    }

  if (offset < 0 || count < 0 || (gsize) offset + count > len)
    return FALSE;

  *strip_offset = offset;
  *strip_len = count;
  return TRUE;
}

GBytes *
_pe_pdf_image_encode_g4 (PIX     *pix,
                         GError **error)
{
  l_uint8 *tiff = NULL;
  size_t tiff_len = 0;
  gsize offset, len;
  GBytes *result;

  g_return_val_if_fail (pixGetDepth (pix) == 1, NULL);

  if (pixWriteMemTiff (&tiff, &tiff_len, pix, IFF_TIFF_G4) != 0 ||
      !tiff_get_strip (tiff, tiff_len, &offset, &len))
    {
      lept_free (tiff);
      g_set_error (error, PE_ERROR, PE_ERROR_PDF,
                   _("The black-and-white page image could not be compressed. "
                     "Try again; if it keeps failing, report a bug."));
      return NULL;
    }

  result = g_bytes_new (tiff + offset, len);
  lept_free (tiff);
  return result;
}

gboolean
_pe_pdf_jpeg_get_info (GBytes *jpeg,
                       guint  *width,
                       guint  *height,
                       guint  *components)
{
  gsize len;
  const guint8 *d = g_bytes_get_data (jpeg, &len);
  gsize i = 2;

  if (len < 4 || d[0] != 0xff || d[1] != 0xd8)
    return FALSE;

  while (i + 4 <= len)
    {
      guint marker, seg;

      if (d[i] != 0xff)
        return FALSE;
      marker = d[i + 1];
      if (marker == 0xff)
        {
          i++;
          continue;
        }
      if (marker == 0xd8 || marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7))
        {
          i += 2;
          continue;
        }
      if (marker == 0xd9 || marker == 0xda)
        return FALSE;   /* image data before any frame header */
      seg = (d[i + 2] << 8) | d[i + 3];
      /* SOF0..SOF15 except DHT, JPG and DAC; arithmetic coding (SOF9+) is legal PDF too */
      if (marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 &&
          marker != 0xcc)
        {
          if (i + 10 > len || seg < 8)
            return FALSE;
          /* lossless and hierarchical JPEG are not DCTDecode */
          if (marker == 0xc3 || marker == 0xc5 || marker == 0xc6 || marker == 0xc7 ||
              marker == 0xcb || marker == 0xcd || marker == 0xce || marker == 0xcf)
            return FALSE;
          if (d[i + 4] != 8)
            return FALSE;
          *height = (d[i + 5] << 8) | d[i + 6];
          *width = (d[i + 7] << 8) | d[i + 8];
          *components = d[i + 9];
          return *width > 0 && *height > 0;
        }
      i += 2 + seg;
    }
  return FALSE;
}

/* PNG "Paeth" filtered rows for /Predictor 15: scans compress far better than raw samples. */
static GBytes *
flate_rows (PIX  *pix,
            guint bytes_per_pixel)
{
  guint w = pixGetWidth (pix);
  guint h = pixGetHeight (pix);
  guint d = pixGetDepth (pix);
  guint wpl = pixGetWpl (pix);
  const l_uint32 *data = pixGetData (pix);
  gsize row_len = d == 1 ? (w + 7) / 8 : (gsize) w * bytes_per_pixel;
  g_autofree guint8 *prev = g_malloc0 (row_len);
  g_autofree guint8 *cur = g_malloc (row_len);
  g_autofree guint8 *out = NULL;
  gsize pos = 0;

  out = g_malloc ((row_len + 1) * h);
  for (guint y = 0; y < h; y++)
    {
      const l_uint32 *line = data + (gsize) y * wpl;

      if (d == 1)
        {
          /* Inverted, so that 0 is black as in DeviceGray itself and in the CCITT decoder's
           * output; a /Decode [1 0] instead is ignored by some extractors. */
          for (gsize j = 0; j < row_len; j++)
            cur[j] = ~GET_DATA_BYTE (line, j);
        }
      else if (d == 8)
        {
          for (guint x = 0; x < w; x++)
            cur[x] = GET_DATA_BYTE (line, x);
        }
      else
        {
          for (guint x = 0; x < w; x++)
            {
              l_int32 r, g, b;

              extractRGBValues (line[x], &r, &g, &b);
              cur[3 * x] = r;
              cur[3 * x + 1] = g;
              cur[3 * x + 2] = b;
            }
        }

      if (d == 1)
        {
          /* 1 bpp gains nothing from prediction: plain rows, no predictor */
          memcpy (out + pos, cur, row_len);
        }
      else
        {
          out[pos++] = 4;
          for (gsize j = 0; j < row_len; j++)
            {
              int a = j >= bytes_per_pixel ? cur[j - bytes_per_pixel] : 0;
              int b = prev[j];
              int c = j >= bytes_per_pixel ? prev[j - bytes_per_pixel] : 0;
              int p = a + b - c;
              int pa = ABS (p - a), pb = ABS (p - b), pc = ABS (p - c);
              int pred = (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c);

              out[pos + j] = cur[j] - pred;
            }
        }
      pos += row_len;
      memcpy (prev, cur, row_len);
    }

  return _pe_pdf_deflate (out, pos, Z_DEFAULT_COMPRESSION);
}

PIX *
_pe_pdf_image_normalize (PIX *pix)
{
  g_autoptr(PIX) p = pixClone (pix);

  if (pixGetColormap (p) != NULL)
    {
      PIX *q = pixRemoveColormap (p, REMOVE_CMAP_BASED_ON_SRC);

      pixDestroy (&p);
      p = q;
    }
  if (p == NULL)
    return NULL;

  switch (pixGetDepth (p))
    {
    case 1:
    case 8:
      break;
    case 32:
      if (pixGetSpp (p) == 4)
        {
          /* PDF/A-1 forbids transparency: flatten onto white paper. */
          PIX *q = pixAlphaBlendUniform (p, 0xffffff00);

          pixDestroy (&p);
          p = q;
          if (p != NULL)
            pixSetSpp (p, 3);
        }
      break;
    case 24:
      {
        PIX *q = pixConvertTo32 (p);

        pixDestroy (&p);
        p = q;
      }
      break;
    default:   /* 2, 4, 16 bpp grey */
      {
        PIX *q = pixConvertTo8 (p, FALSE);

        pixDestroy (&p);
        p = q;
      }
      break;
    }

  return g_steal_pointer (&p);
}

gboolean
_pe_pdf_image_encode (PePdfImage          *image,
                      PIX                 *pix,
                      PePdfImageEncoding   encoding,
                      GBytes              *jpeg,
                      int                  jpeg_quality,
                      GError             **error)
{
  g_autoptr(PIX) p = NULL;
  gint64 start;

  memset (image, 0, sizeof *image);

  if (jpeg != NULL)
    {
      guint w, h, n;

      /* The scanner's JPEG goes in untouched, but only if it is the same picture as @pix (the
       * OCR boxes are in @pix's pixels) and in a colour space PDF/A allows with an sRGB
       * output intent; otherwise it is re-encoded from @pix. */
      if (_pe_pdf_jpeg_get_info (jpeg, &w, &h, &n) &&
          w == (guint) pixGetWidth (pix) && h == (guint) pixGetHeight (pix) &&
          (n == 1 || n == 3))
        {
          image->width = w;
          image->height = h;
          image->bits_per_component = 8;
          image->color_space = n == 1 ? "DeviceGray" : "DeviceRGB";
          image->filter = "DCTDecode";
          image->data = g_bytes_ref (jpeg);
          return TRUE;
        }
      g_debug ("The page's JPEG does not match its image or is not grey/RGB; re-encoding");
    }

  start = g_get_monotonic_time ();
  p = _pe_pdf_image_normalize (pix);
  if (p == NULL)
    {
      g_set_error (error, PE_ERROR, PE_ERROR_UNSUPPORTED,
                   _("The page image has a format that cannot be put into a PDF (%d bits "
                     "per pixel). Convert the image to grey or colour and try again."),
                   pixGetDepth (pix));
      return FALSE;
    }

  image->width = pixGetWidth (p);
  image->height = pixGetHeight (p);

  if (pixGetDepth (p) == 1)
    {
      image->bits_per_component = 1;
      image->color_space = "DeviceGray";
      if (encoding == PE_PDF_IMAGE_AUTO)
        {
          image->data = _pe_pdf_image_encode_g4 (p, error);
          if (image->data == NULL)
            return FALSE;
          image->filter = "CCITTFaxDecode";
        }
      else
        {
          image->data = flate_rows (p, 1);
          image->filter = "FlateDecode";
        }
    }
  else
    {
      guint bpp = pixGetDepth (p) == 8 ? 1 : 3;

      image->bits_per_component = 8;
      image->color_space = bpp == 1 ? "DeviceGray" : "DeviceRGB";
      if (encoding == PE_PDF_IMAGE_AUTO)
        {
          l_uint8 *data = NULL;
          size_t size = 0;

          if (pixWriteMemJpeg (&data, &size, p, jpeg_quality, 0) != 0)
            {
              g_set_error (error, PE_ERROR, PE_ERROR_PDF,
                           _("The page image could not be compressed as JPEG. "
                             "Try again; if it keeps failing, report a bug."));
              return FALSE;
            }
          image->data = g_bytes_new (data, size);
          lept_free (data);
          image->filter = "DCTDecode";
        }
      else
        {
          image->data = flate_rows (p, bpp);
          image->filter = "FlateDecode";
        }
    }

  _pe_pdf_image_set_decode_parms (image);
  image->encode_usec = g_get_monotonic_time () - start;
  return TRUE;
}
