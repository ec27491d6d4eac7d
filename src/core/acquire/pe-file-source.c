/* pe-file-source.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Formats are recognised by their first bytes, never by the file name: mail attachments and
 * hot-folder drops are often misnamed. Every limit is checked from the headers (image size,
 * PDF page size) before the first page is decoded, so a hostile file is refused before it can
 * take the memory.
 */
#include "config.h"

#include <cairo.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <poppler.h>
#include <string.h>
#include <zlib.h>

#include "pe-error.h"
#include "pe-file-source.h"
#include "pe-pdf-scan.h"
#include "pe-types.h"

/* Images without a resolution tag are most likely scans; 300 dpi is the usual scan default
 * and makes an A4-sized image come out A4. */
#define DEFAULT_DPI          300
#define DEFAULT_PDF_DPI      300
#define MAX_PIXELS           (60 * 1000 * 1000)      /* per page, ~ A2 at 300 dpi */
#define MAX_PDF_PAGE_M2      5.0
#define MAX_FILE_SIZE        (G_GINT64_CONSTANT (1) << 30)
/* A rendered PDF page counts as grey when no pixel's channels differ by more than this:
 * JPEG-compressed grey scans stored as RGB carry a little chroma noise. */
#define GREY_TOLERANCE       12

/* poppler-glib 22.12 has no autoptr support of its own. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PopplerDocument, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PopplerPage, g_object_unref)

typedef enum
{
  FORMAT_UNKNOWN,
  FORMAT_PNG,
  FORMAT_JPEG,
  FORMAT_TIFF,
  FORMAT_PDF,
} Format;

static Format
detect_format (const guint8 *data,
               gsize         len)
{
  static const guint8 png_magic[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

  if (len >= sizeof png_magic && memcmp (data, png_magic, sizeof png_magic) == 0)
    return FORMAT_PNG;
  if (len >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff)
    return FORMAT_JPEG;
  if (len >= 4 && ((memcmp (data, "II*\0", 4) == 0) || (memcmp (data, "MM\0*", 4) == 0)))
    return FORMAT_TIFF;

  /* PDF readers accept the header anywhere in the first KiB (some mailers prepend junk). */
  for (gsize i = 0; i + 5 <= MIN (len, 1024); i++)
    if (memcmp (data + i, "%PDF-", 5) == 0)
      return FORMAT_PDF;

  return FORMAT_UNKNOWN;
}

static gboolean
set_corrupt_error (GError     **error,
                   const char  *path)
{
  g_set_error (error, PE_ERROR, PE_ERROR_CORRUPT,
               _("File “%s” is damaged or incomplete and cannot be read: ask the sender for "
                 "a new copy, then import it again."), path);
  return FALSE;
}

static gboolean
set_image_too_large_error (GError     **error,
                           const char  *path,
                           gint64       w,
                           gint64       h)
{
  g_set_error (error, PE_ERROR, PE_ERROR_TOO_LARGE,
               _("The image in “%s” is too large (%lld × %lld pixels, at most %d megapixels "
                 "per page): scale it down, then import it again."),
               path, (long long) w, (long long) h, MAX_PIXELS / 1000000);
  return FALSE;
}

static gboolean
check_pixels (const char  *path,
              gint64       w,
              gint64       h,
              GError     **error)
{
  if (w <= 0 || h <= 0)
    return set_corrupt_error (error, path);
  if (w * h > MAX_PIXELS)
    return set_image_too_large_error (error, path, w, h);
  return TRUE;
}

/* Brings any decoded image to what the rest of the pipeline handles: 1, 8 or 32 bpp (RGB,
 * spp 3), no colour map, no alpha (flattened on white paper). *@changed tells whether the
 * pixels now differ in form from the file, i.e. whether the file can still stand for them. */
static PIX *
normalize_pix (PIX      *pix,
               gboolean *changed)
{
  g_autoptr(PIX) nocmap = NULL;
  g_autoptr(PIX) flat = NULL;
  PIX *src = pix;
  l_int32 d;

  *changed = FALSE;

  if (pixGetColormap (src) != NULL)
    {
      src = nocmap = pixRemoveColormap (src, REMOVE_CMAP_BASED_ON_SRC);
      *changed = TRUE;
    }
  if (src == NULL)
    return NULL;

  if (pixGetDepth (src) == 32 && pixGetSpp (src) == 4)
    {
      src = flat = pixAlphaBlendUniform (src, 0xffffff00);
      *changed = TRUE;
      if (src == NULL)
        return NULL;
    }

  d = pixGetDepth (src);
  switch (d)
    {
    case 1:
    case 8:
      return pixClone (src);

    case 32:
      {
        PIX *rgb = pixClone (src);

        pixSetSpp (rgb, 3);
        return rgb;
      }

    case 16:
      *changed = TRUE;
      return pixConvert16To8 (src, L_MS_BYTE);

    default:
      *changed = TRUE;
      return pixConvertTo8 (src, FALSE);
    }
}

static void
set_resolution_or_default (PIX *pix)
{
  l_int32 xres = pixGetXRes (pix);
  l_int32 yres = pixGetYRes (pix);

  if (xres <= 0)
    xres = yres > 0 ? yres : DEFAULT_DPI;
  if (yres <= 0)
    yres = xres;
  pixSetResolution (pix, xres, yres);
}

typedef struct
{
  const char   *path;
  PePageFunc    page_func;
  gpointer      user_data;
  GCancellable *cancellable;
} Import;

/* Hands one page on; takes @pix and @original. */
static gboolean
deliver (Import      *imp,
         PIX         *pix,
         GBytes      *original,
         const char  *original_ext,
         guint        index,
         gboolean     numbered,
         GError     **error)
{
  PeAcquiredPage page = { 0 };
  g_autoptr(GError) local_error = NULL;
  gboolean ok;

  page.pix = pix;
  page.original = original;
  page.original_ext = original != NULL ? original_ext : NULL;
  page.source = numbered ? g_strdup_printf ("%s#%u", imp->path, index) : g_strdup (imp->path);
  page.sheet = index;
  page.back_side = FALSE;

  ok = imp->page_func (&page, imp->user_data, &local_error);
  pe_acquired_page_clear (&page);

  if (!ok)
    {
      if (local_error == NULL)
        local_error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                           _("The import was stopped."));
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return TRUE;
}

static gboolean
check_cancelled (Import  *imp,
                 GError **error)
{
  return g_cancellable_set_error_if_cancelled (imp->cancellable, error);
}

/* A JPEG whose decoder complained and that has no end marker was cut off (a copy still in
 * progress, a broken download); other warnings are common in camera files and harmless. */
static gboolean
jpeg_looks_truncated (const guint8 *data,
                      gsize         len)
{
  gsize from = len > 65536 ? len - 65536 : 0;

  for (gsize i = len - 1; i > from; i--)
    if (data[i] == 0xd9 && data[i - 1] == 0xff)
      return FALSE;
  return TRUE;
}

static guint32
read_be32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

/* Walks a PNG's chunks up to IEND, checking every CRC: a file cut off or damaged in transit
 * fails here without inflating a pixel row. Returns the pHYs resolution in dpi (0 if none)
 * and whether a tRNS chunk makes some pixels transparent. */
static gboolean
png_is_intact (const guint8 *data,
               gsize         len,
               guint        *dpi_x,
               guint        *dpi_y,
               gboolean     *transparency)
{
  gsize pos = 8;
  gboolean idat = FALSE;

  *dpi_x = *dpi_y = 0;
  *transparency = FALSE;
  while (len >= 12 && pos <= len - 12)
    {
      guint32 n = read_be32 (data + pos);
      const guint8 *type = data + pos + 4;

      if (n > len - pos - 12 ||
          crc32 (crc32 (0, NULL, 0), type, n + 4) != read_be32 (type + 4 + n))
        return FALSE;
      if (pos == 8 && memcmp (type, "IHDR", 4) != 0)
        return FALSE;
      if (memcmp (type, "IDAT", 4) == 0)
        idat = TRUE;
      if (memcmp (type, "tRNS", 4) == 0)
        *transparency = TRUE;
      /* Pixels per metre, unit 1 = metre. */
      if (memcmp (type, "pHYs", 4) == 0 && n == 9 && type[12] == 1)
        {
          *dpi_x = (guint) (read_be32 (type + 4) * 0.0254 + 0.5);
          *dpi_y = (guint) (read_be32 (type + 8) * 0.0254 + 0.5);
        }
      if (memcmp (type, "IEND", 4) == 0)
        return idat;
      pos += 12 + (gsize) n;
    }
  return FALSE;
}

static gboolean import_decoded (Import   *imp,
                                GBytes   *bytes,
                                Format    format,
                                l_int32   bps,
                                l_int32   spp,
                                gboolean  iscmap,
                                GError  **error);

/* A plain 8-bit grey or RGB (or 1-bit) PNG or JPEG is recorded as the file itself: the store
 * needs only its size, depth and resolution, and the clean worker decodes it anyway, so it is
 * not decoded twice (a 300 dpi colour page takes ~60 ms). The file is still checked whole.
 * @page: 0 for a file of its own, else the JPEG is page @page of a PDF, at @pdf_dpi. */
static gboolean
import_undecoded (Import        *imp,
                  GBytes        *bytes,
                  Format         format,
                  l_int32        w,
                  l_int32        h,
                  l_int32        bps,
                  l_int32        spp,
                  guint          page,
                  guint          pdf_dpi,
                  GError       **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  guint dpi_x = 0, dpi_y = 0;
  PIX *header;

  if (format == FORMAT_PNG)
    {
      gboolean transparency;

      if (!png_is_intact (data, len, &dpi_x, &dpi_y, &transparency))
        return set_corrupt_error (error, imp->path);
      /* Transparent pixels become paper white when decoded here (normalize_pix). */
      if (transparency)
        return import_decoded (imp, bytes, format, bps, spp, FALSE, error);
    }
  else
    {
      l_int32 x = 0, y = 0;

      if (jpeg_looks_truncated (data, len))
        return set_corrupt_error (error, imp->path);
      if (readResolutionMemJpeg (data, len, &x, &y) == 0 && x > 0 && y > 0)
        {
          dpi_x = x;
          dpi_y = y;
        }
    }
  if (check_cancelled (imp, error))
    return FALSE;

  header = pixCreateHeader (w, h, bps == 1 ? 1 : spp == 3 ? 32 : 8);
  if (spp == 3)
    pixSetSpp (header, 3);
  if (page > 0)
    dpi_x = dpi_y = pdf_dpi;
  pixSetResolution (header, dpi_x, dpi_y);
  set_resolution_or_default (header);

  return deliver (imp, header, g_bytes_ref (bytes), format == FORMAT_PNG ? "png" : "jpg",
                  MAX (page, 1), page > 0, error);
}

/* Formats the clean worker cannot take as they are (16 bits, palette, alpha, CMYK) are
 * decoded and normalised here; the file is kept only if the decoded page is the same. */
static gboolean
import_decoded (Import   *imp,
                GBytes   *bytes,
                Format    format,
                l_int32   bps,
                l_int32   spp,
                gboolean  iscmap,
                GError  **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  g_autoptr(PIX) pix = NULL;
  PIX *norm;
  gboolean changed = FALSE;
  gboolean keep_original = FALSE;
  const char *ext = NULL;

  if (format == FORMAT_JPEG)
    {
      l_int32 jspp = 0, ycck = 0, cmyk = 0, nwarn = 0;

      if (readHeaderMemJpeg (data, len, NULL, NULL, &jspp, &ycck, &cmyk) != 0)
        return set_corrupt_error (error, imp->path);

      pix = pixReadMemJpeg (data, len, 0, 1, &nwarn, 0);
      if (pix == NULL || (nwarn > 0 && jpeg_looks_truncated (data, len)))
        return set_corrupt_error (error, imp->path);

      /* Passing a CMYK JPEG through would put DeviceCMYK into the PDF/A, which an sRGB
       * output intent does not cover; those are re-encoded from the decoded RGB instead. */
      keep_original = !cmyk && !ycck && (jspp == 1 || jspp == 3);
      ext = "jpg";
    }
  else
    {
      pix = pixReadMem (data, len);
      if (pix == NULL)
        return set_corrupt_error (error, imp->path);

      keep_original = (bps == 1 || bps == 8) && (spp == 1 || spp == 3) && !iscmap;
      ext = "png";
    }

  if (check_cancelled (imp, error))
    return FALSE;

  norm = normalize_pix (pix, &changed);
  if (norm == NULL)
    return set_corrupt_error (error, imp->path);
  set_resolution_or_default (norm);

  return deliver (imp, norm, keep_original && !changed ? g_bytes_ref (bytes) : NULL, ext,
                  1, FALSE, error);
}

static gboolean
import_single_image (Import   *imp,
                     GBytes   *bytes,
                     Format    format,
                     GError  **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  l_int32 fmt = 0, w = 0, h = 0, bps = 0, spp = 0, iscmap = 0;

  if (pixReadHeaderMem (data, len, &fmt, &w, &h, &bps, &spp, &iscmap) != 0)
    return set_corrupt_error (error, imp->path);
  if (!check_pixels (imp->path, w, h, error))
    return FALSE;

  if (format == FORMAT_PNG && (bps == 1 || bps == 8) && (spp == 1 || spp == 3) && !iscmap)
    return import_undecoded (imp, bytes, format, w, h, bps, spp, 0, 0, error);
  if (format == FORMAT_JPEG)
    {
      l_int32 jspp = 0, ycck = 0, cmyk = 0;

      if (readHeaderMemJpeg (data, len, NULL, NULL, &jspp, &ycck, &cmyk) != 0)
        return set_corrupt_error (error, imp->path);
      /* CMYK is converted to RGB when decoded here (see import_decoded()). */
      if (!cmyk && !ycck && (jspp == 1 || jspp == 3))
        return import_undecoded (imp, bytes, format, w, h, 8, jspp, 0, 0, error);
    }

  return import_decoded (imp, bytes, format, bps, spp, iscmap, error);
}

static gboolean
import_tiff (Import   *imp,
             GBytes   *bytes,
             GError  **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  l_int32 n = 0;
  FILE *fp;

  fp = fopenReadFromMemory (data, len);
  if (fp == NULL)
    return set_corrupt_error (error, imp->path);
  if (tiffGetCount (fp, &n) != 0)
    n = 0;
  fclose (fp);

  if (n <= 0)
    return set_corrupt_error (error, imp->path);

  for (l_int32 i = 0; i < n; i++)
    {
      l_int32 w = 0, h = 0, bps = 0, spp = 0, res = 0, cmap = 0, format = 0;

      if (readHeaderMemTiff (data, len, i, &w, &h, &bps, &spp, &res, &cmap, &format) != 0)
        return set_corrupt_error (error, imp->path);
      if (!check_pixels (imp->path, w, h, error))
        return FALSE;
    }

  for (l_int32 i = 0; i < n; i++)
    {
      g_autoptr(PIX) pix = NULL;
      gboolean changed;
      PIX *norm;

      if (check_cancelled (imp, error))
        return FALSE;

      pix = pixReadMemTiff (data, len, i);
      if (pix == NULL || (norm = normalize_pix (pix, &changed)) == NULL)
        return set_corrupt_error (error, imp->path);
      set_resolution_or_default (norm);

      if (!deliver (imp, norm, NULL, NULL, i + 1, n > 1, error))
        return FALSE;
    }

  return TRUE;
}

/* TRUE when every pixel of @h rows of @w native 32-bit words, @stride bytes apart, is grey
 * within GREY_TOLERANCE. Red, green and blue are the bytes from bit @shift + 16 down: cairo's
 * RGB24 (0x00RRGGBB) is @shift 0, Leptonica's 32 bpp (0xRRGGBB00) 8. */
static gboolean
rows_are_grey (const guint8 *data,
               gsize         stride,
               int           w,
               int           h,
               int           shift)
{
  for (int y = 0; y < h; y++)
    {
      const guint32 *row = (const guint32 *) (data + (gsize) y * stride);

      for (int x = 0; x < w; x++)
        {
          int r = (row[x] >> (shift + 16)) & 0xff, g = (row[x] >> (shift + 8)) & 0xff;
          int b = (row[x] >> shift) & 0xff;

          if (MAX (r, MAX (g, b)) - MIN (r, MIN (g, b)) > GREY_TOLERANCE)
            return FALSE;
        }
    }
  return TRUE;
}

/* The same rows' luminance, (77 R + 150 G + 29 B) / 256, as an 8 bpp page. */
static PIX *
grey_from_rows (const guint8 *data,
                gsize         stride,
                int           w,
                int           h,
                int           shift)
{
  PIX *pix = pixCreate (w, h, 8);

  for (int y = 0; pix != NULL && y < h; y++)
    {
      const guint32 *row = (const guint32 *) (data + (gsize) y * stride);
      l_uint32 *line = pixGetData (pix) + (gsize) y * pixGetWpl (pix);

      for (int x = 0; x < w; x++)
        {
          guint32 p = row[x] >> shift;

          SET_DATA_BYTE (line, x,
                         (((p >> 16) & 0xff) * 77 + ((p >> 8) & 0xff) * 150 + (p & 0xff) * 29)
                         >> 8);
        }
    }
  return pix;
}

/* Copies a cairo RGB24 surface into a PIX: 8 bpp when the page is grey (most letters), else
 * 32 bpp. cairo keeps 0x00RRGGBB per native 32-bit word, Leptonica 0xRRGGBB00. */
static PIX *
pix_from_surface (cairo_surface_t *surface)
{
  const guint8 *sdata = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);
  int w = cairo_image_surface_get_width (surface);
  int h = cairo_image_surface_get_height (surface);
  PIX *pix;

  if (rows_are_grey (sdata, stride, w, h, 0))
    return grey_from_rows (sdata, stride, w, h, 0);

  pix = pixCreate (w, h, 32);
  for (int y = 0; y < h; y++)
    {
      const guint32 *row = (const guint32 *) (sdata + (gsize) y * stride);
      l_uint32 *line = pixGetData (pix) + (gsize) y * pixGetWpl (pix);

      for (int x = 0; x < w; x++)
        line[x] = (row[x] & 0x00ffffff) << 8;
    }
  pixSetSpp (pix, 3);
  return pix;
}

/* Page @i (from 0) of a PDF as the image it is, when it is one (pe_pdf_scan_page()): then
 * *@taken and what handing it on returned. Else *@taken is FALSE and the page is to be drawn
 * (also when it is not one the store takes as it is, or too large as it is). */
static gboolean
import_pdf_scanned (Import     *imp,
                    PePdfScan  *scan,
                    int         i,
                    guint       dpi,
                    gboolean   *taken,
                    GError    **error)
{
  g_autoptr(GBytes) file = NULL;
  g_autoptr(PIX) image = NULL;
  gboolean png = FALSE;
  guint native = 0;
  const guint8 *data;
  gsize len;
  l_int32 fmt = 0, w = 0, h = 0, bps = 0, spp = 0, iscmap = 0;

  *taken = FALSE;
  if (!pe_pdf_scan_page (scan, i, dpi, &file, &png, &image, &native))
    return TRUE;

  if (image != NULL)
    {
      const guint8 *rows = (const guint8 *) pixGetData (image);

      w = pixGetWidth (image);
      h = pixGetHeight (image);
      if ((gint64) w * h > MAX_PIXELS)
        return TRUE;
      /* A grey page in an RGB image is kept as grey, as when drawn. */
      if (pixGetDepth (image) == 32 && rows_are_grey (rows, pixGetWpl (image) * 4, w, h, 8))
        {
          PIX *grey = grey_from_rows (rows, pixGetWpl (image) * 4, w, h, 8);

          if (grey != NULL)
            {
              pixCopyResolution (grey, image);
              pixDestroy (&image);
              image = grey;
            }
        }
      *taken = TRUE;
      return deliver (imp, g_steal_pointer (&image), NULL, NULL, i + 1, TRUE, error);
    }

  /* A JPEG or PNG file as it is. */
  data = g_bytes_get_data (file, &len);
  if (pixReadHeaderMem (data, len, &fmt, &w, &h, &bps, &spp, &iscmap) != 0 || iscmap ||
      bps != 8 || (spp != 1 && spp != 3) || (gint64) w * h > MAX_PIXELS ||
      (!png && jpeg_looks_truncated (data, len)))
    return TRUE;
  *taken = TRUE;
  return import_undecoded (imp, file, png ? FORMAT_PNG : FORMAT_JPEG, w, h, bps, spp, i + 1,
                           native, error);
}

/* Poppler reads the file as it needs it: a scanned PDF is mostly page images (325 MB for 115
 * pages at 300 dpi), which in memory as a whole would sit next to the batch being read. */
static gboolean
import_pdf (Import   *imp,
            guint     dpi,
            GError  **error)
{
  g_autoptr(PopplerDocument) doc = NULL;
  g_autoptr(GError) poppler_error = NULL;
  g_autofree char *absolute = g_canonicalize_filename (imp->path, NULL);
  g_autofree char *uri = g_filename_to_uri (absolute, NULL, NULL);
  g_autoptr(PePdfScan) scan = NULL;
  int n;

  if (uri != NULL)
    doc = poppler_document_new_from_file (uri, NULL, &poppler_error);
  if (doc == NULL)
    {
      if (g_error_matches (poppler_error, POPPLER_ERROR, POPPLER_ERROR_ENCRYPTED))
        {
          g_set_error (error, PE_ERROR, PE_ERROR_ENCRYPTED,
                       _("File “%s” is protected by a password: ask the sender for an "
                         "unprotected copy, then import it again."), imp->path);
          return FALSE;
        }
      g_debug ("%s: %s", imp->path, poppler_error != NULL ? poppler_error->message : "?");
      return set_corrupt_error (error, imp->path);
    }

  n = poppler_document_get_n_pages (doc);
  if (n <= 0)
    return set_corrupt_error (error, imp->path);

  for (int i = 0; i < n; i++)
    {
      g_autoptr(PopplerPage) page = poppler_document_get_page (doc, i);
      double wpt = 0, hpt = 0;
      double wmm, hmm;

      if (page == NULL)
        return set_corrupt_error (error, imp->path);

      poppler_page_get_size (page, &wpt, &hpt);
      if (!(wpt > 0 && hpt > 0))
        return set_corrupt_error (error, imp->path);

      wmm = wpt / 72.0 * 25.4;
      hmm = hpt / 72.0 * 25.4;
      if (wmm * hmm / 1e6 > MAX_PDF_PAGE_M2)
        {
          g_set_error (error, PE_ERROR, PE_ERROR_TOO_LARGE,
                       _("Page %d of “%s” is too large (%.0f × %.0f mm): split or shrink "
                         "the page, then import it again."), i + 1, imp->path, wmm, hmm);
          return FALSE;
        }

      if ((wpt * dpi / 72.0) * (hpt * dpi / 72.0) > MAX_PIXELS)
        {
          g_set_error (error, PE_ERROR, PE_ERROR_TOO_LARGE,
                       _("Page %d of “%s” (%.0f × %.0f mm) would have more than %d "
                         "megapixels at %u dpi: import it at a lower resolution."),
                       i + 1, imp->path, wmm, hmm, MAX_PIXELS / 1000000, dpi);
          return FALSE;
        }
    }

  /* Pages that are one scanned image are read as that image (pe-pdf-scan.h), at its own
   * resolution unless that is finer than @dpi: a scan is not blown up, a finer one is drawn
   * at @dpi (the memory and time of every later step grow with its pixels). */
  scan = pe_pdf_scan_open (absolute);
  if (scan != NULL && pe_pdf_scan_get_n_pages (scan) != n)
    g_clear_pointer (&scan, pe_pdf_scan_free);

  for (int i = 0; i < n; i++)
    {
      g_autoptr(PopplerPage) page = poppler_document_get_page (doc, i);
      cairo_surface_t *surface;
      cairo_t *cr;
      double wpt = 0, hpt = 0;
      int pw, ph;
      PIX *pix;

      if (check_cancelled (imp, error))
        return FALSE;

      if (scan != NULL)
        {
          gboolean taken;

          if (!import_pdf_scanned (imp, scan, i, dpi, &taken, error))
            return FALSE;
          if (taken)
            continue;
        }

      poppler_page_get_size (page, &wpt, &hpt);
      pw = MAX (1, (int) (wpt * dpi / 72.0 + 0.5));
      ph = MAX (1, (int) (hpt * dpi / 72.0 + 0.5));

      surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, pw, ph);
      if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
        {
          cairo_surface_destroy (surface);
          g_set_error (error, PE_ERROR, PE_ERROR_TOO_LARGE,
                       _("Page %d of “%s” cannot be rendered at %u dpi (not enough memory): "
                         "import it at a lower resolution."), i + 1, imp->path, dpi);
          return FALSE;
        }

      cr = cairo_create (surface);
      /* Paper is white; PDFs without a background would otherwise come out black. */
      cairo_set_source_rgb (cr, 1, 1, 1);
      cairo_paint (cr);
      cairo_scale (cr, dpi / 72.0, dpi / 72.0);
      /* The printing variant draws what would be printed: no form-field highlights, only
       * annotations marked for print. */
      poppler_page_render_for_printing (page, cr);
      cairo_destroy (cr);
      cairo_surface_flush (surface);

      pix = pix_from_surface (surface);
      cairo_surface_destroy (surface);
      pixSetResolution (pix, dpi, dpi);

      if (!deliver (imp, pix, NULL, NULL, i + 1, TRUE, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
set_read_error (GError     **error,
                int          err,
                const char  *path)
{
  if (err == ENOENT || err == ENOTDIR)
    g_set_error (error, PE_ERROR, PE_ERROR_NOT_FOUND,
                 _("File “%s” does not exist."), path);
  else if (err == EACCES)
    g_set_error (error, PE_ERROR, PE_ERROR_ACCESS_DENIED,
                 _("File “%s” cannot be read: you have no permission to read it."), path);
  else
    g_set_error (error, PE_ERROR, PE_ERROR_FAILED,
                 _("File “%s” cannot be read: %s."), path, g_strerror (err));
  return FALSE;
}

/* The file's first bytes, enough to tell its format. */
static gboolean
read_head (const char  *path,
           guint8      *head,
           gsize        size,
           gsize       *len,
           GError     **error)
{
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  gssize n;

  if (fd < 0)
    return set_read_error (error, errno, path);
  do
    n = read (fd, head, size);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    {
      int err = errno;

      close (fd);
      return set_read_error (error, err, path);
    }
  close (fd);
  *len = n;
  return TRUE;
}

/* What reading the file as a whole needs: it exists, is no folder and is not too large. */
static gboolean
check_file (const char  *path,
            GError     **error)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    return set_read_error (error, errno, path);

  if (S_ISDIR (st.st_mode))
    {
      g_set_error (error, PE_ERROR, PE_ERROR_UNSUPPORTED,
                   _("“%s” is a folder: choose the files in it to import them."), path);
      return FALSE;
    }

  if (st.st_size > MAX_FILE_SIZE)
    {
      g_autofree char *size = g_format_size (st.st_size);
      g_autofree char *max = g_format_size (MAX_FILE_SIZE);

      g_set_error (error, PE_ERROR, PE_ERROR_TOO_LARGE,
                   _("File “%s” is too large (%s, at most %s): split it, then import the "
                     "parts."), path, size, max);
      return FALSE;
    }

  return TRUE;
}

/* The whole file, once check_file() has passed it. */
static GBytes *
read_file (const char  *path,
           GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_ACCES))
        g_set_error (error, PE_ERROR, PE_ERROR_ACCESS_DENIED,
                     _("File “%s” cannot be read: you have no permission to read it."), path);
      else if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_set_error (error, PE_ERROR, PE_ERROR_NOT_FOUND,
                     _("File “%s” does not exist."), path);
      else
        g_set_error (error, PE_ERROR, PE_ERROR_FAILED,
                     _("File “%s” cannot be read: %s."), path, local_error->message);
      return NULL;
    }

  return g_bytes_new_take (contents, len);
}

gboolean
pe_file_source_import (const char    *path,
                       guint          pdf_dpi,
                       PePageFunc     page_func,
                       gpointer       user_data,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(GBytes) bytes = NULL;
  Import imp = { path, page_func, user_data, cancellable };
  guint8 head[1024];
  Format format;
  gsize len = 0;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (page_func != NULL, FALSE);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  if (!check_file (path, error) || !read_head (path, head, sizeof head, &len, error))
    return FALSE;
  if (len == 0)
    {
      g_set_error (error, PE_ERROR, PE_ERROR_CORRUPT,
                   _("File “%s” is empty: check that it was copied completely, then import "
                     "it again."), path);
      return FALSE;
    }

  format = detect_format (head, len);
  if (format == FORMAT_PDF)
    return import_pdf (&imp, pdf_dpi > 0 ? pdf_dpi : DEFAULT_PDF_DPI, error);
  if (!(bytes = read_file (path, error)))
    return FALSE;

  switch (format)
    {
    case FORMAT_PNG:
      return import_single_image (&imp, bytes, FORMAT_PNG, error);
    case FORMAT_JPEG:
      return import_single_image (&imp, bytes, FORMAT_JPEG, error);
    case FORMAT_TIFF:
      return import_tiff (&imp, bytes, error);
    case FORMAT_UNKNOWN:
    default:
      g_set_error (error, PE_ERROR, PE_ERROR_UNSUPPORTED,
                   _("File “%s” is not a PNG, TIFF, JPEG or PDF file: convert it to one of "
                     "these formats, then import it again."), path);
      return FALSE;
    }
}
