/* test-file-source.c: importing PNG, TIFF, JPEG and PDF files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <cairo.h>
#include <cairo-pdf.h>
#include <gio/gio.h>
#include <locale.h>
#include <math.h>
#include <glib/gstdio.h>
#include <string.h>
#include <zlib.h>

#include "pe-error.h"
#include "pe-file-source.h"
#include "pe-test-common.h"
#include "pe-types.h"

typedef struct
{
  PIX    *pix;
  GBytes *original;
  char   *ext;
  char   *source;
  guint   sheet;
} Got;

typedef struct
{
  GArray       *pages;    /* Got */
  guint         fail_at;  /* page_func fails on this page, 0: never */
  GCancellable *cancel_after_first;
} Import;

static void
got_clear (gpointer data)
{
  Got *g = data;

  if (g->pix != NULL)
    pixDestroy (&g->pix);
  g_clear_pointer (&g->original, g_bytes_unref);
  g_free (g->ext);
  g_free (g->source);
}

static gboolean
page_cb (PeAcquiredPage  *page,
         gpointer         user_data,
         GError         **error)
{
  Import *imp = user_data;
  Got g = { 0 };

  if (imp->fail_at == imp->pages->len + 1)
    {
      g_set_error_literal (error, PE_ERROR, PE_ERROR_STORE, "disk full");
      return FALSE;
    }

  g_assert_nonnull (page->pix);
  g_assert_cmpint (pixGetXRes (page->pix), >, 0);
  g_assert_true (pixGetDepth (page->pix) == 1 || pixGetDepth (page->pix) == 8
                 || pixGetDepth (page->pix) == 32);
  g_assert_null (pixGetColormap (page->pix));
  if (pixGetDepth (page->pix) == 32)
    g_assert_cmpint (pixGetSpp (page->pix), ==, 3);
  g_assert_true ((page->original == NULL) == (page->original_ext == NULL));

  g.pix = g_steal_pointer (&page->pix);
  g.original = page->original != NULL ? g_bytes_ref (page->original) : NULL;
  g.ext = g_strdup (page->original_ext);
  g.source = g_strdup (page->source);
  g.sheet = page->sheet;
  g_array_append_val (imp->pages, g);

  if (imp->cancel_after_first != NULL)
    g_cancellable_cancel (imp->cancel_after_first);

  return TRUE;
}

static Import *
import_new (void)
{
  Import *imp = g_new0 (Import, 1);

  imp->pages = g_array_new (FALSE, TRUE, sizeof (Got));
  g_array_set_clear_func (imp->pages, got_clear);
  return imp;
}

static void
import_free (Import *imp)
{
  g_array_unref (imp->pages);
  g_clear_object (&imp->cancel_after_first);
  g_free (imp);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Import, import_free)

static Got *
got (Import *imp,
     guint   i)
{
  g_assert_cmpuint (i, <, imp->pages->len);
  return &g_array_index (imp->pages, Got, i);
}

static gboolean
run_import (Import      *imp,
            const char  *path,
            guint        dpi,
            GError     **error)
{
  return pe_file_source_import (path, dpi, page_cb, imp, imp->cancel_after_first, error);
}

static char *
acquire_data (const char *name)
{
  g_autofree char *rel = g_build_filename ("acquire", name, NULL);

  return pe_test_data_path (rel);
}

/* A plain PNG or JPEG arrives undecoded (a header PIX and the file): its pixels are the
 * file's. */
static PIX *
pixels_of (Got *g)
{
  PIX *pix;

  if (pixGetData (g->pix) != NULL)
    return pixClone (g->pix);
  g_assert_nonnull (g->original);
  pix = pixReadMem (g_bytes_get_data (g->original, NULL), g_bytes_get_size (g->original));
  g_assert_nonnull (pix);
  if (pixGetDepth (pix) == 32)
    pixSetSpp (pix, 3);
  return pix;
}

static void
assert_pix_equal (PIX *a,
                  PIX *b)
{
  l_int32 same = 0;

  g_assert_cmpint (pixGetWidth (a), ==, pixGetWidth (b));
  g_assert_cmpint (pixGetHeight (a), ==, pixGetHeight (b));
  g_assert_cmpint (pixGetDepth (a), ==, pixGetDepth (b));
  g_assert_cmpint (pixEqual (a, b, &same), ==, 0);
  g_assert_true (same);
}

static void
assert_fails (const char *path,
              guint       dpi,
              int         code)
{
  g_autoptr(Import) imp = import_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (run_import (imp, path, dpi, &error));
  g_assert_error (error, PE_ERROR, code);
  g_test_message ("%s: %s", path, error->message);
  g_assert_cmpstr (error->message, !=, "");
  g_assert_nonnull (strstr (error->message, path));
  /* Refused before any page was handed on. */
  g_assert_cmpuint (imp->pages->len, ==, 0);
}

static void
test_png (void)
{
  const char *names[] = { "p0003.png", "p0001.png" };
  const int depths[] = { 8, 32 };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = pe_test_sample_page (names[i]);
      g_autoptr(Import) imp = import_new ();
      g_autoptr(GError) error = NULL;
      g_autoptr(PIX) ref = pixRead (path);
      g_autofree char *contents = NULL;
      gsize len = 0;

      g_assert_true (run_import (imp, path, 0, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (imp->pages->len, ==, 1);

      g_assert_cmpint (pixGetDepth (got (imp, 0)->pix), ==, depths[i]);
      pixSetSpp (ref, pixGetDepth (ref) == 32 ? 3 : 1);
      /* Not decoded at import: the clean worker decodes it once. */
      g_assert_null (pixGetData (got (imp, 0)->pix));
      {
        g_autoptr(PIX) pixels = pixels_of (got (imp, 0));

        assert_pix_equal (pixels, ref);
      }
      g_assert_cmpint (pixGetXRes (got (imp, 0)->pix), ==, 200);
      g_assert_cmpstr (got (imp, 0)->source, ==, path);
      g_assert_cmpuint (got (imp, 0)->sheet, ==, 1);

      /* A plain 8-bit PNG can stand for itself in the store. */
      g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
      g_assert_nonnull (got (imp, 0)->original);
      g_assert_cmpstr (got (imp, 0)->ext, ==, "png");
      g_assert_cmpmem (g_bytes_get_data (got (imp, 0)->original, NULL),
                       g_bytes_get_size (got (imp, 0)->original), contents, len);
    }
}

static void
assert_flattened (PIX  *rgba,
                  PIX  *pix,
                  guint want_transparent)
{
  guint transparent = 0;

  /* Fully transparent pixels are white paper now; opaque ones keep their colour. */
  g_assert_cmpint (pixGetSpp (rgba), ==, 4);
  for (int y = 0; y < pixGetHeight (rgba); y++)
    for (int x = 0; x < pixGetWidth (rgba); x++)
      {
        l_uint32 src, dst;
        l_int32 a;

        pixGetPixel (rgba, x, y, &src);
        pixGetPixel (pix, x, y, &dst);
        a = GET_DATA_BYTE (&src, L_ALPHA_CHANNEL);
        if (a == 0)
          {
            transparent++;
            g_assert_cmphex (dst & 0xffffff00, ==, 0xffffff00);
          }
        else if (a == 255)
          g_assert_cmphex (src & 0xffffff00, ==, dst & 0xffffff00);
      }
  g_assert_cmpuint (transparent, ==, want_transparent);
}

static void
test_png_alpha (void)
{
  g_autofree char *path = acquire_data ("baiona_alpha.png");
  g_autofree char *dir = pe_test_mkdtemp ();
  g_autofree char *cut = g_build_filename (dir, "cut.png", NULL);
  g_autoptr(PIX) rgba = pixRead (path);

  /* The corpus file has an alpha channel that is opaque everywhere. */
  {
    g_autoptr(Import) imp = import_new ();
    g_autoptr(GError) error = NULL;
    PIX *pix;

    g_assert_true (run_import (imp, path, 0, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (imp->pages->len, ==, 1);
    pix = got (imp, 0)->pix;
    g_assert_null (got (imp, 0)->original);
    g_assert_cmpint (pixGetDepth (pix), ==, 32);
    g_assert_cmpint (pixGetWidth (pix), ==, 640);
    g_assert_cmpint (pixGetHeight (pix), ==, 682);
    g_assert_cmpint (pixGetXRes (pix), ==, 300);   /* no pHYs: the default */
    assert_flattened (rgba, pix, 0);
  }

  /* Make a transparent 100 × 50 hole in it. */
  for (int y = 10; y < 60; y++)
    for (int x = 20; x < 120; x++)
      {
        l_uint32 v;

        pixGetPixel (rgba, x, y, &v);
        pixSetPixel (rgba, x, y, v & 0xffffff00);
      }
  g_assert_cmpint (pixWrite (cut, rgba, IFF_PNG), ==, 0);
  {
    g_autoptr(Import) imp = import_new ();
    g_autoptr(GError) error = NULL;
    g_autoptr(PIX) written = pixRead (cut);

    g_assert_true (run_import (imp, cut, 0, &error));
    g_assert_no_error (error);
    assert_flattened (written, got (imp, 0)->pix, 100 * 50);
  }

  pe_test_rmdir (dir);
}

static double
mean_abs_diff (PIX *a,
               PIX *b)
{
  double sum = 0;
  guint n = 0;

  for (int y = 0; y < pixGetHeight (a); y += 2)
    for (int x = 0; x < pixGetWidth (a); x += 2)
      {
        l_uint32 pa, pb;
        l_int32 ra, ga, ba, rb, gb, bb;

        pixGetPixel (a, x, y, &pa);
        pixGetPixel (b, x, y, &pb);
        extractRGBValues (pa, &ra, &ga, &ba);
        extractRGBValues (pb, &rb, &gb, &bb);
        sum += ABS (ra - rb) + ABS (ga - gb) + ABS (ba - bb);
        n += 3;
      }

  return sum / n;
}

static void
test_png_palette (void)
{
  g_autofree char *path = acquire_data ("baiona_colormapped.png");
  g_autoptr(Import) imp = import_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(PIX) src = pixRead (path);
  g_autoptr(PIX) ref = NULL;

  g_assert_nonnull (pixGetColormap (src));
  ref = pixRemoveColormap (src, REMOVE_CMAP_TO_FULL_COLOR);

  g_assert_true (run_import (imp, path, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (imp->pages->len, ==, 1);
  g_assert_null (got (imp, 0)->original);
  g_assert_cmpint (pixGetDepth (got (imp, 0)->pix), ==, 32);
  g_assert_cmpfloat (mean_abs_diff (got (imp, 0)->pix, ref), ==, 0.0);
}

static void
test_jpeg (void)
{
  g_autofree char *dir = pe_test_mkdtemp ();
  const char *names[] = { "p0001.png", "p0003.png" };
  const int depths[] = { 32, 8 };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *png = pe_test_sample_page (names[i]);
      /* Misnamed on purpose: the format is found from the content. */
      g_autofree char *path = g_build_filename (dir, "scan.pdf", NULL);
      g_autoptr(PIX) src = pixRead (png);
      g_autoptr(PIX) ref = NULL;
      g_autoptr(Import) imp = import_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *contents = NULL;
      gsize len;

      g_assert_cmpint (pixWrite (path, src, IFF_JFIF_JPEG), ==, 0);
      ref = pixRead (path);

      g_assert_true (run_import (imp, path, 0, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (imp->pages->len, ==, 1);
      g_assert_cmpint (pixGetDepth (got (imp, 0)->pix), ==, depths[i]);
      g_assert_cmpint (pixGetXRes (got (imp, 0)->pix), ==, 200);
      pixSetSpp (ref, pixGetDepth (ref) == 32 ? 3 : 1);
      g_assert_null (pixGetData (got (imp, 0)->pix));
      {
        g_autoptr(PIX) pixels = pixels_of (got (imp, 0));

        assert_pix_equal (pixels, ref);
      }

      /* The JPEG goes on unchanged (passthrough into the PDF, no second lossy pass). */
      g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
      g_assert_cmpstr (got (imp, 0)->ext, ==, "jpg");
      g_assert_cmpmem (g_bytes_get_data (got (imp, 0)->original, NULL),
                       g_bytes_get_size (got (imp, 0)->original), contents, len);
    }

  pe_test_rmdir (dir);
}

static void
test_jpeg_cmyk (void)
{
  g_autofree char *path = acquire_data ("baiona_cmyk.jpg");
  g_autofree char *png = acquire_data ("baiona_colormapped.png");
  g_autoptr(Import) imp = import_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(PIX) cmapped = pixRead (png);
  g_autoptr(PIX) ref = pixRemoveColormap (cmapped, REMOVE_CMAP_TO_FULL_COLOR);
  double diff;

  g_assert_true (run_import (imp, path, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (imp->pages->len, ==, 1);

  /* CMYK is not passed through: it is decoded to RGB and stored from the pixels. */
  g_assert_null (got (imp, 0)->original);
  g_assert_cmpint (pixGetDepth (got (imp, 0)->pix), ==, 32);
  g_assert_cmpint (pixGetWidth (got (imp, 0)->pix), ==, 640);

  /* Same photo as the palette PNG: colours must agree (an inverted or unconverted CMYK
   * decode differs by ~100 per channel). */
  diff = mean_abs_diff (got (imp, 0)->pix, ref);
  g_test_message ("CMYK vs palette PNG: mean difference %.1f", diff);
  g_assert_cmpfloat (diff, <, 20.0);
}

static void
test_tiff (void)
{
  g_autofree char *dir = pe_test_mkdtemp ();
  g_autofree char *single = g_build_filename (dir, "single.tif", NULL);
  g_autofree char *multi = g_build_filename (dir, "multi.tif", NULL);
  g_autofree char *p1 = pe_test_sample_page ("p0001.png");
  g_autofree char *p3 = pe_test_sample_page ("p0003.png");
  g_autofree char *p5 = pe_test_sample_page ("p0005.png");
  g_autoptr(PIX) rgb1 = pixRead (p1);
  g_autoptr(PIX) grey3 = pixRead (p3);
  g_autoptr(PIX) bw3 = pixThresholdToBinary (grey3, 128);
  g_autoptr(PIX) rgb5 = pixRead (p5);
  PIX *expected[3];
  const int depths[] = { 32, 1, 8 };
  g_autoptr(PIX) grey5 = pixConvertRGBToLuminance (rgb5);

  pixCopyResolution (bw3, grey3);
  pixCopyResolution (grey5, rgb5);

  /* Single page, CCITT G4 (the usual bitonal archive scan). */
  g_assert_cmpint (pixWriteTiff (single, bw3, IFF_TIFF_G4, "w"), ==, 0);
  {
    g_autoptr(Import) imp = import_new ();
    g_autoptr(GError) error = NULL;

    g_assert_true (run_import (imp, single, 0, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (imp->pages->len, ==, 1);
    assert_pix_equal (got (imp, 0)->pix, bw3);
    g_assert_cmpint (pixGetXRes (got (imp, 0)->pix), ==, 200);
    g_assert_cmpstr (got (imp, 0)->source, ==, single);
    g_assert_null (got (imp, 0)->original);
  }

  /* Three pages, three encodings: LZW colour, G4, ZIP grey. */
  g_assert_cmpint (pixWriteTiff (multi, rgb1, IFF_TIFF_LZW, "w"), ==, 0);
  g_assert_cmpint (pixWriteTiff (multi, bw3, IFF_TIFF_G4, "a"), ==, 0);
  g_assert_cmpint (pixWriteTiff (multi, grey5, IFF_TIFF_ZIP, "a"), ==, 0);
  expected[0] = rgb1;
  expected[1] = bw3;
  expected[2] = grey5;
  pixSetSpp (rgb1, 3);
  {
    g_autoptr(Import) imp = import_new ();
    g_autoptr(GError) error = NULL;

    g_assert_true (run_import (imp, multi, 0, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (imp->pages->len, ==, 3);
    for (guint i = 0; i < 3; i++)
      {
        g_autofree char *source = g_strdup_printf ("%s#%u", multi, i + 1);

        g_assert_cmpint (pixGetDepth (got (imp, i)->pix), ==, depths[i]);
        assert_pix_equal (got (imp, i)->pix, expected[i]);
        g_assert_cmpstr (got (imp, i)->source, ==, source);
        g_assert_cmpuint (got (imp, i)->sheet, ==, i + 1);
      }
  }

  /* page_func failing on page 2 stops the import: one page in, its error out. */
  {
    g_autoptr(Import) imp = import_new ();
    g_autoptr(GError) error = NULL;

    imp->fail_at = 2;
    g_assert_false (run_import (imp, multi, 0, &error));
    g_assert_error (error, PE_ERROR, PE_ERROR_STORE);
    g_assert_cmpuint (imp->pages->len, ==, 1);
  }

  /* Cancelled after the first page. */
  {
    g_autoptr(Import) imp = import_new ();
    g_autoptr(GError) error = NULL;

    imp->cancel_after_first = g_cancellable_new ();
    g_assert_false (run_import (imp, multi, 0, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_assert_cmpuint (imp->pages->len, ==, 1);
  }

  pe_test_rmdir (dir);
}

/* A PDF with pages of different sizes, so the order can be checked from the images alone:
 * A4 portrait with black text, A5 landscape with a red box, US Letter grey. */
static void
write_test_pdf (const char *path)
{
  static const double sizes[][2] = { { 595.276, 841.89 }, { 595.276, 419.528 }, { 612, 792 } };
  cairo_surface_t *surface = cairo_pdf_surface_create (path, sizes[0][0], sizes[0][1]);
  cairo_t *cr = cairo_create (surface);

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      cairo_pdf_surface_set_size (surface, sizes[i][0], sizes[i][1]);
      if (i == 1)
        cairo_set_source_rgb (cr, 0.9, 0.1, 0.1);
      else
        cairo_set_source_rgb (cr, 0.3 * i, 0.3 * i, 0.3 * i);
      cairo_rectangle (cr, 72, 72, 144, 72);
      cairo_fill (cr);
      cairo_move_to (cr, 72, 200);
      cairo_set_font_size (cr, 24);
      cairo_show_text (cr, "Posteingang");
      cairo_show_page (cr);
    }

  cairo_destroy (cr);
  cairo_surface_finish (surface);
  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);
}

static void
test_pdf (void)
{
  g_autofree char *dir = pe_test_mkdtemp ();
  g_autofree char *path = g_build_filename (dir, "letters.pdf", NULL);
  g_autoptr(Import) imp = import_new ();
  g_autoptr(GError) error = NULL;
  const int want[][3] = { { 827, 1169, 8 }, { 827, 583, 32 }, { 850, 1100, 8 } };
  l_uint32 v;

  write_test_pdf (path);

  g_assert_true (run_import (imp, path, 100, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (imp->pages->len, ==, 3);

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *source = g_strdup_printf ("%s#%u", path, i + 1);
      PIX *pix = got (imp, i)->pix;

      g_assert_cmpint (pixGetWidth (pix), ==, want[i][0]);
      g_assert_cmpint (pixGetHeight (pix), ==, want[i][1]);
      g_assert_cmpint (pixGetDepth (pix), ==, want[i][2]);
      g_assert_cmpint (pixGetXRes (pix), ==, 100);
      g_assert_cmpstr (got (imp, i)->source, ==, source);
      g_assert_null (got (imp, i)->original);
    }

  /* Page background is white paper, the box is where it was drawn (1 in = 100 px). */
  pixGetPixel (got (imp, 0)->pix, 10, 10, &v);
  g_assert_cmpuint (v, ==, 255);
  pixGetPixel (got (imp, 0)->pix, 150, 120, &v);
  g_assert_cmpuint (v, ==, 0);
  pixGetPixel (got (imp, 1)->pix, 150, 120, &v);
  {
    l_int32 r, g, b;

    extractRGBValues (v, &r, &g, &b);
    g_assert_cmpint (ABS (r - 230), <=, 1);   /* 0.9, 0.1, 0.1 */
    g_assert_cmpint (ABS (g - 25), <=, 1);
    g_assert_cmpint (ABS (b - 25), <=, 1);
  }

  /* Some mailers put a line before the header; PDF readers look for it in the first KiB. The
   * file is read by Poppler from disk, with a relative name too. */
  {
    g_autofree char *contents = NULL;
    g_autofree char *junk = g_build_filename (dir, "from-mail.pdf", NULL);
    g_autofree char *prefixed = NULL;
    g_autofree char *cwd = g_get_current_dir ();
    g_autoptr(Import) again = import_new ();
    const char *mail_line = "From: scanner@example.org\r\n\r\n";
    gsize len = 0;

    g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
    prefixed = g_malloc (strlen (mail_line) + len);
    memcpy (prefixed, mail_line, strlen (mail_line));
    memcpy (prefixed + strlen (mail_line), contents, len);
    g_assert_true (g_file_set_contents (junk, prefixed, strlen (mail_line) + len, NULL));
    g_assert_cmpint (g_chdir (dir), ==, 0);
    g_assert_true (run_import (again, "from-mail.pdf", 100, &error));
    g_assert_cmpint (g_chdir (cwd), ==, 0);
    g_assert_no_error (error);
    g_assert_cmpuint (again->pages->len, ==, 3);
    for (guint i = 0; i < 3; i++)
      {
        l_int32 same = 0;

        g_assert_cmpint (pixEqual (got (again, i)->pix, got (imp, i)->pix, &same), ==, 0);
        g_assert_true (same);
      }
  }

  pe_test_rmdir (dir);
}

/* --- scanned PDFs: pages that are one image, read as that image ------------------------- */

typedef struct
{
  GString *pdf;
  GArray  *offsets;   /* gsize, of object n + 1 */
  GString *kids;      /* "n 0 R " of each page */
} PdfWriter;

static guint
pdf_object (PdfWriter    *w,
            const char   *dict,
            const guint8 *stream,
            gsize         len)
{
  gsize offset = w->pdf->len;
  guint n;

  g_array_append_val (w->offsets, offset);
  n = w->offsets->len;
  g_string_append_printf (w->pdf, "%u 0 obj\n", n);
  if (stream != NULL)
    {
      g_string_append_printf (w->pdf, "<< %s /Length %" G_GSIZE_FORMAT " >>\nstream\n", dict,
                              len);
      g_string_append_len (w->pdf, (const char *) stream, len);
      g_string_append (w->pdf, "\nendstream");
    }
  else
    {
      g_string_append (w->pdf, dict);
    }
  g_string_append (w->pdf, "\nendobj\n");
  return n;
}

/* A page (under the page tree, object 2) drawing one image of 320 × 452 at 150 dpi over the
 * whole page, then @tail (@tail_len bytes) in its content stream; @extra goes into the page
 * dictionary. */
static void
pdf_image_page (PdfWriter    *pw,
                const char   *image_dict,
                const guint8 *data,
                gsize         len,
                const char   *extra,
                const char   *tail,
                gsize         tail_len)
{
  const int w = 320, h = 452, dpi = 150, pages = 2;
  double wpt = w * 72.0 / dpi, hpt = h * 72.0 / dpi;
  g_autoptr(GString) content = g_string_new (NULL);
  g_autofree char *idict = g_strdup_printf ("/Type /XObject /Subtype /Image /Width %d "
                                            "/Height %d %s", w, h, image_dict);
  guint image = pdf_object (pw, idict, data, len);
  guint contents;

  g_string_append_printf (content, "q\n%.4f 0 0 %.4f 0 0 cm\n/Im0 Do\nQ", wpt, hpt);
  g_string_append_len (content, tail, tail_len);
  contents = pdf_object (pw, "", (const guint8 *) content->str, content->len);
  g_autofree char *page = g_strdup_printf ("<< /Type /Page /Parent %u 0 R /MediaBox [0 0 %.4f "
                                           "%.4f] /Resources << /XObject << /Im0 %u 0 R >> >> "
                                           "/Contents %u 0 R %s >>", pages, wpt, hpt, image,
                                           contents, extra);

  g_string_append_printf (pw->kids, "%u 0 R ", pdf_object (pw, page, NULL, 0));
}

/* The zlib data of a PNG (its IDAT chunks joined): rows with PNG filter bytes. */
static GBytes *
png_idat (PIX *pix)
{
  guint8 *png = NULL;
  size_t len = 0;
  GByteArray *idat = g_byte_array_new ();

  g_assert_cmpint (pixWriteMem (&png, &len, pix, IFF_PNG), ==, 0);
  for (gsize pos = 8; pos + 12 <= len; )
    {
      guint32 n = (guint32) png[pos] << 24 | png[pos + 1] << 16 | png[pos + 2] << 8 | png[pos + 3];

      if (memcmp (png + pos + 4, "IDAT", 4) == 0)
        g_byte_array_append (idat, png + pos + 8, n);
      pos += 12 + n;
    }
  lept_free (png);
  return g_byte_array_free_to_bytes (idat);
}

/* zlib data of @pix's pixels as PDF stores them: rows of 1 or 3 bytes per pixel. */
static GBytes *
raw_flate (PIX *pix)
{
  int w = pixGetWidth (pix), h = pixGetHeight (pix), d = pixGetDepth (pix);
  gsize row = (gsize) w * (d == 32 ? 3 : 1), k = 0;
  g_autofree guint8 *raw = g_malloc (row * h);
  uLongf zlen = compressBound (row * h);
  guint8 *z = g_malloc (zlen);

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        l_uint32 v;

        pixGetPixel (pix, x, y, &v);
        if (d == 32)
          {
            raw[k++] = v >> 24;
            raw[k++] = v >> 16;
            raw[k++] = v >> 8;
          }
        else
          {
            raw[k++] = v;
          }
      }
  g_assert_cmpint (compress (z, &zlen, raw, row * h), ==, Z_OK);
  return g_bytes_new_take (z, zlen);
}

/* Pages written as scanners write them (one image over the page, nothing else) come in as
 * those images at their own resolution (150 dpi here, imported "at 300 dpi"): a Flate image
 * with PNG predictors as a PNG file around the same data, one without predictor decoded
 * (grey content of an RGB image as 8 bpp), a JPEG as the JPEG. A page turned by /Rotate, one
 * that draws more after a NUL in its content and one whose PNG data lacks its checksum are
 * rendered at the import's resolution. */
static void
test_pdf_scanned (void)
{
#define JPEG_IMAGE "/ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode"
  g_autofree char *dir = pe_test_mkdtemp ();
  g_autofree char *path = g_build_filename (dir, "scanned.pdf", NULL);
  g_autofree char *png = pe_test_sample_page ("p0001.png");
  g_autoptr(PIX) sample = pixRead (png);
  g_autoptr(PIX) rgb = pixScaleToSize (sample, 320, 452);
  g_autoptr(PIX) grey = pixConvertRGBToLuminance (rgb);
  g_autoptr(PIX) grey_rgb = pixConvertTo32 (grey);
  g_autoptr(GBytes) idat = NULL, flate_grey = NULL, flate_grey_rgb = NULL;
  g_autoptr(Import) imp = import_new ();
  g_autoptr(GError) error = NULL;
  guint8 *jpeg = NULL;
  size_t jpeg_len = 0;
  PdfWriter pw = { g_string_new ("%PDF-1.4\n"), g_array_new (FALSE, FALSE, sizeof (gsize)),
                   g_string_new (NULL) };
  gsize xref;

  g_assert_nonnull (rgb);
  pixSetSpp (rgb, 3);
  pixSetSpp (grey_rgb, 3);
  idat = png_idat (rgb);
  flate_grey = raw_flate (grey);
  flate_grey_rgb = raw_flate (grey_rgb);
  g_assert_cmpint (pixWriteMem (&jpeg, &jpeg_len, rgb, IFF_JFIF_JPEG), ==, 0);

  /* Objects 1 and 2 are the catalog and the page tree, written last. */
  pdf_object (&pw, "<< /Type /Catalog /Pages 2 0 R >>", NULL, 0);
  g_array_set_size (pw.offsets, 2);
  pdf_image_page (&pw, "/ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode "
                  "/DecodeParms << /Predictor 15 /Colors 3 /Columns 320 >>",
                  g_bytes_get_data (idat, NULL), g_bytes_get_size (idat), "", NULL, 0);
  pdf_image_page (&pw, "/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode",
                  g_bytes_get_data (flate_grey, NULL), g_bytes_get_size (flate_grey), "",
                  NULL, 0);
  pdf_image_page (&pw, "/ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter [/FlateDecode]",
                  g_bytes_get_data (flate_grey_rgb, NULL), g_bytes_get_size (flate_grey_rgb),
                  "", NULL, 0);
  pdf_image_page (&pw, JPEG_IMAGE, jpeg, jpeg_len, "", NULL, 0);
  pdf_image_page (&pw, JPEG_IMAGE, jpeg, jpeg_len, "/Rotate 90", NULL, 0);
  /* After a NUL (white space to a PDF reader) the content goes on: a line over the image. */
  pdf_image_page (&pw, JPEG_IMAGE, jpeg, jpeg_len, "", "\0 0 0 m 100 100 l S", 19);
  /* PNG data without its checksum: Poppler draws it, the store would refuse it. */
  pdf_image_page (&pw, "/ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode "
                  "/DecodeParms << /Predictor 15 /Colors 3 /Columns 320 >>",
                  g_bytes_get_data (idat, NULL), g_bytes_get_size (idat) - 4, "", NULL, 0);
  g_array_index (pw.offsets, gsize, 1) = pw.pdf->len;
  g_string_append_printf (pw.pdf, "2 0 obj\n<< /Type /Pages /Kids [%s] /Count 7 >>\nendobj\n",
                          pw.kids->str);
  xref = pw.pdf->len;
  g_string_append_printf (pw.pdf, "xref\n0 %u\n0000000000 65535 f \n", pw.offsets->len + 1);
  for (guint i = 0; i < pw.offsets->len; i++)
    g_string_append_printf (pw.pdf, "%010" G_GSIZE_FORMAT " 00000 n \n",
                            g_array_index (pw.offsets, gsize, i));
  g_string_append_printf (pw.pdf, "trailer\n<< /Size %u /Root 1 0 R >>\nstartxref\n%"
                          G_GSIZE_FORMAT "\n%%%%EOF\n", pw.offsets->len + 1, xref);
  g_assert_true (g_file_set_contents (path, pw.pdf->str, pw.pdf->len, NULL));

  g_assert_true (run_import (imp, path, 300, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (imp->pages->len, ==, 7);
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *source = g_strdup_printf ("%s#%u", path, i + 1);

      g_assert_cmpstr (got (imp, i)->source, ==, source);
      g_assert_cmpint (pixGetXRes (got (imp, i)->pix), ==, 150);
      g_assert_cmpint (pixGetYRes (got (imp, i)->pix), ==, 150);
    }

  /* PNG data: a PNG of the very pixels. */
  g_assert_cmpstr (got (imp, 0)->ext, ==, "png");
  {
    g_autoptr(PIX) pixels = pixels_of (got (imp, 0));

    assert_pix_equal (pixels, rgb);
  }
  /* Decoded: grey, and the grey RGB image as grey. */
  g_assert_null (got (imp, 1)->original);
  assert_pix_equal (got (imp, 1)->pix, grey);
  g_assert_null (got (imp, 2)->original);
  assert_pix_equal (got (imp, 2)->pix, grey);
  /* The JPEG as it is. */
  g_assert_cmpstr (got (imp, 3)->ext, ==, "jpg");
  g_assert_cmpmem (g_bytes_get_data (got (imp, 3)->original, NULL),
                   g_bytes_get_size (got (imp, 3)->original), jpeg, jpeg_len);
  /* Rotated: drawn by Poppler at 300 dpi, turned. */
  g_assert_null (got (imp, 4)->original);
  g_assert_cmpint (pixGetXRes (got (imp, 4)->pix), ==, 300);
  g_assert_cmpint (pixGetWidth (got (imp, 4)->pix), ==, 904);
  g_assert_cmpint (pixGetHeight (got (imp, 4)->pix), ==, 640);
  /* More drawn than the image, or damaged data: rendered. */
  for (guint i = 5; i < 7; i++)
    {
      g_assert_null (got (imp, i)->original);
      g_assert_cmpint (pixGetXRes (got (imp, i)->pix), ==, 300);
    }

  /* Imported at 100 dpi, the 150 dpi images are drawn at 100 dpi, not taken as they are. */
  {
    g_autoptr(Import) coarse = import_new ();

    g_assert_true (run_import (coarse, path, 100, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (coarse->pages->len, ==, 7);
    for (guint i = 0; i < 7; i++)
      {
        g_assert_null (got (coarse, i)->original);
        g_assert_cmpint (pixGetXRes (got (coarse, i)->pix), ==, 100);
      }
    g_assert_cmpint (pixGetWidth (got (coarse, 0)->pix), ==, 213);
  }

  lept_free (jpeg);
  g_string_free (pw.kids, TRUE);
  g_string_free (pw.pdf, TRUE);
  g_array_unref (pw.offsets);
  pe_test_rmdir (dir);
}

/* Scanners' bitonal pages (CCITT Group 4; BlackIs1 either way) come in as the 1 bpp image at
 * its 300 dpi, black where Poppler draws black: the share of black pixels is that of its
 * drawing at 100 dpi (an inverted page would have ~92 % black). */
static void
test_pdf_scanned_bitonal (void)
{
  const char *names[] = { "kcs.pdf", "ccitt.pdf" };
  const int sizes[][2] = { { 1914, 930 }, { 2550, 3300 } };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = acquire_data (names[i]);
      g_autoptr(Import) imp = import_new ();
      g_autoptr(Import) drawn = import_new ();
      g_autoptr(GError) error = NULL;
      g_autoptr(PIX) drawn_ink = NULL;
      PIX *pix;
      l_int32 black = 0, drawn_black = 0;
      double share, drawn_share;

      g_assert_true (run_import (imp, path, 300, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (imp->pages->len, ==, 1);
      pix = got (imp, 0)->pix;
      g_assert_null (got (imp, 0)->original);
      g_assert_cmpint (pixGetDepth (pix), ==, 1);
      g_assert_cmpint (pixGetWidth (pix), ==, sizes[i][0]);
      g_assert_cmpint (pixGetHeight (pix), ==, sizes[i][1]);
      g_assert_cmpint (pixGetXRes (pix), ==, 300);

      g_assert_true (run_import (drawn, path, 100, &error));
      g_assert_no_error (error);
      g_assert_cmpint (pixGetDepth (got (drawn, 0)->pix), ==, 8);
      drawn_ink = pixThresholdToBinary (got (drawn, 0)->pix, 128);
      pixCountPixels (pix, &black, NULL);
      pixCountPixels (drawn_ink, &drawn_black, NULL);
      share = black / ((double) pixGetWidth (pix) * pixGetHeight (pix));
      drawn_share = drawn_black / ((double) pixGetWidth (drawn_ink) * pixGetHeight (drawn_ink));
      g_test_message ("%s: %.4f black, drawn %.4f", names[i], share, drawn_share);
      g_assert_cmpfloat (share, >, 0.01);
      g_assert_cmpfloat (fabs (share - drawn_share), <, 0.01);
    }
}

static void
test_pdf_multipage_external (void)
{
  g_autofree char *path = acquire_data ("multipage.pdf");
  g_autoptr(Import) imp = import_new ();
  g_autoptr(GError) error = NULL;
  /* pdfinfo: 384 × 470.88, 2160², 718.5 × 300 (twice), Letter portrait, Letter landscape. */
  const int want[][2] = { { 384, 471 }, { 2160, 2160 }, { 719, 300 }, { 719, 300 },
                          { 612, 792 }, { 792, 612 } };

  g_assert_true (run_import (imp, path, 72, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (imp->pages->len, ==, 6);
  for (guint i = 0; i < 6; i++)
    {
      g_assert_cmpint (pixGetWidth (got (imp, i)->pix), ==, want[i][0]);
      g_assert_cmpint (pixGetHeight (got (imp, i)->pix), ==, want[i][1]);
      g_assert_cmpuint (got (imp, i)->sheet, ==, i + 1);
    }
  /* Page 5 is a grey image on white: stored as 8 bpp. */
  g_assert_cmpint (pixGetDepth (got (imp, 4)->pix), ==, 8);

  /* At the default 300 dpi page 2 is 81 megapixels: refused before page 1 is handed on. */
  assert_fails (path, 0, PE_ERROR_TOO_LARGE);
}

static void
test_pdf_palette (void)
{
  g_autofree char *path = acquire_data ("palette.pdf");
  g_autoptr(Import) imp = import_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (run_import (imp, path, 150, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (imp->pages->len, ==, 1);
  g_assert_cmpint (pixGetDepth (got (imp, 0)->pix), ==, 32);
  g_assert_cmpint (pixGetWidth (got (imp, 0)->pix), ==, 1000);   /* 480 pt at 150 dpi */
}

static void
test_missing (void)
{
  g_autoptr(Import) imp = import_new ();
  g_autoptr(GError) error = NULL;
  const char *path = "/nonexistent/letter.pdf";

  g_assert_false (run_import (imp, path, 0, &error));
  g_assert_error (error, PE_ERROR, PE_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "File “/nonexistent/letter.pdf” does not exist.");
}

static char *
write_file (const char *dir,
            const char *name,
            const void *data,
            gsize       len)
{
  char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, data, len, NULL));
  return path;
}

static void
test_corrupt (void)
{
  g_autofree char *dir = pe_test_mkdtemp ();
  g_autofree char *invalid = acquire_data ("invalid.pdf");
  g_autofree char *png = pe_test_sample_page ("p0003.png");
  g_autofree char *contents = NULL;
  g_autofree char *half_png = NULL;
  g_autofree char *half_jpeg = NULL;
  g_autofree char *bad_tiff = NULL;
  g_autofree char *empty = NULL;
  g_autofree char *jpeg = g_build_filename (dir, "full.jpg", NULL);
  g_autofree char *jpeg_data = NULL;
  g_autoptr(PIX) pix = pixRead (png);
  gsize len;

  assert_fails (invalid, 0, PE_ERROR_CORRUPT);

  g_assert_true (g_file_get_contents (png, &contents, &len, NULL));
  half_png = write_file (dir, "half.png", contents, len / 2);
  assert_fails (half_png, 0, PE_ERROR_CORRUPT);
  /* Damaged in transit: one byte of the image data changed, caught by the chunk's CRC. */
  {
    g_autofree char *flipped = g_memdup2 (contents, len);
    g_autofree char *path = NULL;

    flipped[len / 2] ^= 0x20;
    path = write_file (dir, "flipped.png", flipped, len);
    assert_fails (path, 0, PE_ERROR_CORRUPT);
    /* …and cut just before its end chunk. */
    g_clear_pointer (&path, g_free);
    path = write_file (dir, "no-end.png", contents, len - 12);
    assert_fails (path, 0, PE_ERROR_CORRUPT);
  }

  g_assert_cmpint (pixWrite (jpeg, pix, IFF_JFIF_JPEG), ==, 0);
  g_assert_true (g_file_get_contents (jpeg, &jpeg_data, &len, NULL));
  half_jpeg = write_file (dir, "half.jpg", jpeg_data, len / 2);
  assert_fails (half_jpeg, 0, PE_ERROR_CORRUPT);

  bad_tiff = write_file (dir, "bad.tif", "II*\0\xff\xff\xff\x7f garbage", 16);
  assert_fails (bad_tiff, 0, PE_ERROR_CORRUPT);

  empty = write_file (dir, "empty.png", "", 0);
  assert_fails (empty, 0, PE_ERROR_CORRUPT);

  pe_test_rmdir (dir);
}

static void
test_encrypted (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *trivial = acquire_data ("trivial.pdf");
  g_autofree char *locked = NULL;
  g_autofree char *owner_only = NULL;

  if (pe_test_skip_unless_program ("qpdf"))
    return;

  dir = pe_test_mkdtemp ();
  locked = g_build_filename (dir, "locked.pdf", NULL);
  owner_only = g_build_filename (dir, "owner-only.pdf", NULL);

  {
    const char *argv[] = { "qpdf", "--encrypt", "user", "owner", "256", "--", trivial, locked,
                           NULL };
    g_assert_cmpint (pe_test_run (argv, NULL, NULL), ==, 0);
  }
  assert_fails (locked, 0, PE_ERROR_ENCRYPTED);

  /* Only an owner password (printing/copy restrictions): readable, so it imports. */
  {
    const char *argv[] = { "qpdf", "--encrypt", "", "owner", "256", "--", trivial, owner_only,
                           NULL };
    g_autoptr(Import) imp = import_new ();
    g_autoptr(GError) error = NULL;

    g_assert_cmpint (pe_test_run (argv, NULL, NULL), ==, 0);
    g_assert_true (run_import (imp, owner_only, 72, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (imp->pages->len, ==, 1);
    g_assert_cmpint (pixGetWidth (got (imp, 0)->pix), ==, 300);
  }

  pe_test_rmdir (dir);
}

static void
test_unsupported (void)
{
  g_autofree char *dir = pe_test_mkdtemp ();
  g_autofree char *gif = write_file (dir, "image.png", "GIF89a\x01\x00\x01\x00\x00\x00\x00;",
                                     14);
  g_autofree char *text = write_file (dir, "letter.pdf", "Dear Sir or Madam,\n", 19);

  assert_fails (gif, 0, PE_ERROR_UNSUPPORTED);
  assert_fails (text, 0, PE_ERROR_UNSUPPORTED);
  assert_fails (dir, 0, PE_ERROR_UNSUPPORTED);

  pe_test_rmdir (dir);
}

static guint32
crc32_png (const guint8 *data,
           gsize         len)
{
  guint32 crc = 0xffffffff;

  for (gsize i = 0; i < len; i++)
    {
      crc ^= data[i];
      for (int k = 0; k < 8; k++)
        crc = (crc >> 1) ^ (0xedb88320 & (0u - (crc & 1)));
    }
  return crc ^ 0xffffffff;
}

static void
test_too_large (void)
{
  g_autofree char *dir = pe_test_mkdtemp ();
  g_autofree char *enormous = acquire_data ("enormous.pdf");
  g_autofree char *huge_png = NULL;
  g_autofree char *huge_pdf = g_build_filename (dir, "poster.pdf", NULL);
  guint8 png[8 + 25 + 12] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  cairo_surface_t *surface;

  /* A PNG that declares 100000 × 100000 pixels (40 GB decoded) and has no data: refused from
   * its header, nothing allocated. */
  pe_test_put_be32 (png + 8, 13);
  memcpy (png + 12, "IHDR", 4);
  pe_test_put_be32 (png + 16, 100000);
  pe_test_put_be32 (png + 20, 100000);
  png[24] = 8;   /* bit depth */
  png[25] = 2;   /* RGB */
  pe_test_put_be32 (png + 29, crc32_png (png + 12, 17));
  pe_test_put_be32 (png + 33, 0);
  memcpy (png + 37, "IEND", 4);
  pe_test_put_be32 (png + 41, crc32_png (png + 37, 4));
  huge_png = write_file (dir, "huge.png", png, sizeof png);
  assert_fails (huge_png, 0, PE_ERROR_TOO_LARGE);

  /* enormous.pdf: one 2160 pt (76 cm) square page, 81 megapixels at 300 dpi. */
  assert_fails (enormous, 0, PE_ERROR_TOO_LARGE);

  /* A 5 × 5 m poster is refused even at a resolution where the pixels would fit. */
  surface = cairo_pdf_surface_create (huge_pdf, 14173, 14173);
  cairo_surface_finish (surface);
  cairo_surface_destroy (surface);
  assert_fails (huge_pdf, 10, PE_ERROR_TOO_LARGE);

  pe_test_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/acquire/file/png", test_png);
  g_test_add_func ("/acquire/file/png-alpha", test_png_alpha);
  g_test_add_func ("/acquire/file/png-palette", test_png_palette);
  g_test_add_func ("/acquire/file/jpeg", test_jpeg);
  g_test_add_func ("/acquire/file/jpeg-cmyk", test_jpeg_cmyk);
  g_test_add_func ("/acquire/file/tiff", test_tiff);
  g_test_add_func ("/acquire/file/pdf", test_pdf);
  g_test_add_func ("/acquire/file/pdf-scanned", test_pdf_scanned);
  g_test_add_func ("/acquire/file/pdf-scanned-bitonal", test_pdf_scanned_bitonal);
  g_test_add_func ("/acquire/file/pdf-multipage-external", test_pdf_multipage_external);
  g_test_add_func ("/acquire/file/pdf-palette", test_pdf_palette);
  g_test_add_func ("/acquire/file/missing", test_missing);
  g_test_add_func ("/acquire/file/corrupt", test_corrupt);
  g_test_add_func ("/acquire/file/encrypted", test_encrypted);
  g_test_add_func ("/acquire/file/unsupported", test_unsupported);
  g_test_add_func ("/acquire/file/too-large", test_too_large);

  return g_test_run ();
}
