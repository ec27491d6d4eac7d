/* pe-pdfa-writer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The file is written in the plainest form PDF allows — a classic xref table, every object
 * uncompressed at the top level, no object or xref streams — because that form is what
 * PDF/A-1 demands and it is also valid PDF/A-2 and -3, so one writer serves every level and the
 * validator can hold all of them to the strictest rules.
 *
 * Pages stream into a temporary file beside the target as they are added; only the xref offsets
 * and the page object numbers stay in memory. The document-wide objects (font, metadata, page
 * tree, catalog) follow at pe_pdfa_writer_finish(). Object numbers 1 and 2 (catalog, page tree)
 * are reserved up front so that each page can name its parent before the tree exists.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "pe-error.h"
#include "pe-types.h"
#include "pe-pdfa-writer.h"
#include "pe-pdf-font.h"
#include "pe-pdf-image.h"
#include "pe-pdf-mrc.h"
#include "pe-pdf-output.h"
#include "pe-pdf-page-private.h"
#include "pe-pdfa-writer-private.h"
#include "pe-xmp.h"

#define OBJ_CATALOG 1
#define OBJ_PAGES   2
#define PRODUCER    "Posteingang " PACKAGE_VERSION
#define N_BMP       0x10000

struct _PePdfaWriter
{
  GObject       parent_instance;

  PePdfaLevel   level;
  char         *path;
  char         *tmp_path;     /* NULL once renamed into place or removed */
  int           fd;
  PePdfOutput  *out;
  GArray       *offsets;      /* guint64 file offset per object number; [0] unused */
  GArray       *pages;        /* guint object numbers of the page dictionaries */
  guint32      *used_cids;    /* bitset over the BMP: characters the text layer shows */
  guint         font_obj;     /* 0 until a page has text */
  guint         icc_obj;
  GDateTime    *created;
  int           jpeg_quality;
  int           mrc_dpi;
  int           mrc_quality;
  gint64        add_usec;     /* time spent in add_page, and the part of it that encoded */
  gint64        encode_usec;
  GError       *failure;      /* set once writing failed; the writer is then dead */
  gboolean      finished;
};

G_DEFINE_FINAL_TYPE (PePdfaWriter, pe_pdfa_writer, G_TYPE_OBJECT)

static void
remove_temp (PePdfaWriter *self)
{
  if (self->fd >= 0)
    {
      close (self->fd);
      self->fd = -1;
    }
  if (self->tmp_path != NULL)
    {
      g_unlink (self->tmp_path);
      g_clear_pointer (&self->tmp_path, g_free);
    }
}

static void
pe_pdfa_writer_dispose (GObject *object)
{
  PePdfaWriter *self = (PePdfaWriter *) object;

  /* An unfinished document must not leave its temporary file behind. */
  remove_temp (self);

  G_OBJECT_CLASS (pe_pdfa_writer_parent_class)->dispose (object);
}

static void
pe_pdfa_writer_finalize (GObject *object)
{
  PePdfaWriter *self = (PePdfaWriter *) object;

  g_clear_pointer (&self->out, _pe_pdf_output_free);
  g_clear_pointer (&self->offsets, g_array_unref);
  g_clear_pointer (&self->pages, g_array_unref);
  g_clear_pointer (&self->used_cids, g_free);
  g_clear_pointer (&self->created, g_date_time_unref);
  g_clear_pointer (&self->path, g_free);
  g_clear_error (&self->failure);

  G_OBJECT_CLASS (pe_pdfa_writer_parent_class)->finalize (object);
}

static void
pe_pdfa_writer_class_init (PePdfaWriterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pe_pdfa_writer_dispose;
  object_class->finalize = pe_pdfa_writer_finalize;
}

static void
pe_pdfa_writer_init (PePdfaWriter *self)
{
  self->fd = -1;
  self->jpeg_quality = 75;
  self->mrc_dpi = 100;
  self->mrc_quality = 60;
  self->offsets = g_array_new (FALSE, TRUE, sizeof (guint64));
  self->pages = g_array_new (FALSE, FALSE, sizeof (guint));
  self->created = g_date_time_new_now_local ();
  g_array_set_size (self->offsets, OBJ_PAGES + 1);
}

/* Errors ------------------------------------------------------------------------------------ */

static void
set_errno_error (PePdfaWriter *self,
                 int           errsv,
                 GError      **error)
{
  g_autofree char *display = g_filename_display_name (self->path);

  if (errsv == ENOSPC || errsv == EDQUOT)
    g_set_error (error, PE_ERROR, PE_ERROR_NO_SPACE,
                 _("The disk is full: “%s” could not be written. Free some space on the disk "
                   "and create the document again."), display);
  else
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                 _("“%s” could not be written: %s. Check the folder and the disk, then create "
                   "the document again."), display, g_strerror (errsv));
}

/* Once a write failed the document cannot be repaired: remove the partial file at once (a full
 * disk gets its space back) and refuse further work. */
static gboolean
fail (PePdfaWriter *self,
      GError      **error)
{
  remove_temp (self);
  if (self->failure == NULL)
    self->failure = g_error_new_literal (PE_ERROR, PE_ERROR_PDF,
                                         _("The document could not be written. "
                                           "Create it again."));
  if (error != NULL && *error == NULL)
    *error = g_error_copy (self->failure);
  return FALSE;
}

static gboolean
check_output (PePdfaWriter *self,
              GError      **error)
{
  int errsv = _pe_pdf_output_get_errno (self->out);

  if (errsv == 0)
    return TRUE;

  set_errno_error (self, errsv, &self->failure);
  return fail (self, error);
}

static gboolean
check_usable (PePdfaWriter *self,
              GError      **error)
{
  if (self->failure == NULL)
    return TRUE;
  g_propagate_error (error, g_error_copy (self->failure));
  return FALSE;
}

/* Objects ----------------------------------------------------------------------------------- */

static guint
alloc_obj (PePdfaWriter *self)
{
  g_array_set_size (self->offsets, self->offsets->len + 1);
  return self->offsets->len - 1;
}

static void
begin_obj (PePdfaWriter *self,
           guint         num)
{
  g_assert (num < self->offsets->len);
  g_assert (g_array_index (self->offsets, guint64, num) == 0);

  g_array_index (self->offsets, guint64, num) = _pe_pdf_output_tell (self->out);
  _pe_pdf_output_printf (self->out, "%u 0 obj\n", num);
}

static void
end_obj (PePdfaWriter *self)
{
  _pe_pdf_output_puts (self->out, "\nendobj\n");
}

/* @dict holds the entries besides /Length, without the brackets. PDF/A wants exactly one EOL
 * after "stream" and one before "endstream", neither counted in /Length. */
static void
write_stream_obj (PePdfaWriter *self,
                  guint         num,
                  const char   *dict,
                  const void   *data,
                  gsize         len)
{
  begin_obj (self, num);
  _pe_pdf_output_printf (self->out, "<< %s /Length %" G_GSIZE_FORMAT " >>\nstream\n",
                         dict, len);
  _pe_pdf_output_write (self->out, data, len);
  _pe_pdf_output_puts (self->out, "\nendstream");
  end_obj (self);
}

static void
write_flate_obj (PePdfaWriter *self,
                 guint         num,
                 const char   *dict,
                 const void   *data,
                 gsize         len)
{
  g_autoptr(GBytes) z = _pe_pdf_deflate (data, len, Z_BEST_COMPRESSION);
  g_autofree char *full = g_strdup_printf ("%s%s/Filter /FlateDecode", dict,
                                           dict[0] != '\0' ? " " : "");

  write_stream_obj (self, num, full, g_bytes_get_data (z, NULL), g_bytes_get_size (z));
}

/* Creation ---------------------------------------------------------------------------------- */

PePdfaWriter *
pe_pdfa_writer_new (PePdfaLevel   level,
                    const char   *path,
                    GError      **error)
{
  g_autoptr(PePdfaWriter) self = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  g_autofree char *tmpl = NULL;
  g_autofree char *tmpl_name = NULL;
  g_autofree char *icc = NULL;
  gsize icc_len = 0;
  g_autoptr(GError) local_error = NULL;
  int fd;

  g_return_val_if_fail (level >= PE_PDFA_2B && level <= PE_PDFA_3B, NULL);
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* The colour profile first: without it no file can be PDF/A, and a missing package should
   * be reported before any page is scanned. */
  if (!g_file_get_contents (ICC_PROFILE, &icc, &icc_len, &local_error))
    {
      g_set_error (error, PE_ERROR, PE_ERROR_NOT_FOUND,
                   _("The colour profile %s is missing, so no PDF/A file can be made. "
                     "Install the package icc-profiles-free."), ICC_PROFILE);
      return NULL;
    }

  self = g_object_new (PE_TYPE_PDFA_WRITER, NULL);
  self->level = level;
  self->path = g_strdup (path);

  dir = g_path_get_dirname (path);
  base = g_path_get_basename (path);
  tmpl_name = g_strdup_printf (".%s.XXXXXX.tmp", base);
  tmpl = g_build_filename (dir, tmpl_name, NULL);
  fd = g_mkstemp_full (tmpl, O_RDWR | O_CLOEXEC, 0666);
  if (fd < 0)
    {
      int errsv = errno;
      g_autofree char *display = g_filename_display_name (dir);

      if (errsv == ENOSPC || errsv == EDQUOT)
        g_set_error (error, PE_ERROR, PE_ERROR_NO_SPACE,
                     _("The disk of “%s” is full. Free some space and try again."), display);
      else
        g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                     _("No file can be created in “%s”: %s. Check that the folder exists and "
                       "is writable."), display, g_strerror (errsv));
      return NULL;
    }
  self->fd = fd;
  self->tmp_path = g_steal_pointer (&tmpl);
  self->out = _pe_pdf_output_new (fd);

  /* The comment with four bytes above 127 marks the file as binary (PDF/A-1 6.1.2). Only
   * PDF/A-1 is tied to PDF 1.4; the later parts build on PDF 1.7. */
  _pe_pdf_output_puts (self->out, level == PE_PDFA_1B ? "%PDF-1.4\n" : "%PDF-1.7\n");
  _pe_pdf_output_puts (self->out, "%\xE2\xE3\xCF\xD3\n");

  self->icc_obj = alloc_obj (self);
  write_flate_obj (self, self->icc_obj, "/N 3", icc, icc_len);

  _pe_pdf_output_flush (self->out);
  if (!check_output (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

void
pe_pdfa_writer_set_jpeg_quality (PePdfaWriter *self,
                                 int           quality)
{
  g_return_if_fail (PE_IS_PDFA_WRITER (self));
  g_return_if_fail (quality >= 1 && quality <= 100);

  self->jpeg_quality = quality;
}

void
pe_pdfa_writer_set_mrc_background (PePdfaWriter *self,
                                   int           dpi,
                                   int           quality)
{
  g_return_if_fail (PE_IS_PDFA_WRITER (self));
  g_return_if_fail (dpi >= 50 && dpi <= 300);
  g_return_if_fail (quality >= 1 && quality <= 100);

  self->mrc_dpi = dpi;
  self->mrc_quality = quality;
}

void
pe_pdfa_writer_set_creation_date (PePdfaWriter *self,
                                  GDateTime    *date)
{
  g_return_if_fail (PE_IS_PDFA_WRITER (self));
  g_return_if_fail (date != NULL);

  g_date_time_unref (self->created);
  self->created = g_date_time_ref (date);
}

/* Pages ------------------------------------------------------------------------------------- */

static void
use_cid (PePdfaWriter *self,
         guint         cid)
{
  self->used_cids[cid / 32] |= 1u << (cid % 32);
}

static gboolean
is_cid_used (PePdfaWriter *self,
             guint         cid)
{
  return (self->used_cids[cid / 32] >> (cid % 32)) & 1;
}

/* The word as CIDs (= its Unicode code points, BMP only) in hex; returns the count. Characters
 * outside the BMP, which Tesseract's Latin models never emit, become U+FFFD. */
static guint
append_word_cids (PePdfaWriter *self,
                  GString      *s,
                  const char   *text)
{
  guint n = 0;

  g_string_append_c (s, '<');
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char_validated (p, -1);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        break;
      /* Control characters and the BOM carry no text; PDF/A-2u also forbids U+FEFF, U+FFFE
       * and U+FFFF as ToUnicode values. */
      if (c < 0x20 || (c >= 0x7f && c < 0xa0) || c == 0xfeff)
        continue;
      if (c >= 0xfffe || (c >= 0xd800 && c < 0xe000))
        c = 0xfffd;
      use_cid (self, c);
      g_string_append_printf (s, "%04X", c);
      n++;
    }
  g_string_append_c (s, '>');
  return n;
}

typedef struct
{
  double x, baseline, width, size;
} WordBox;

/* A word's box in the text layer's space: the recognition's pixels, but with the origin at
 * the bottom left as in PDF. Whole pixels keep the numbers in the content stream short. */
static gboolean
word_box (const PeOcrWord *w,
          double           page_height,
          WordBox         *box)
{
  if (w->width <= 0 || w->height <= 0)
    return FALSE;

  /* The font's ascent + descent is one em, so a font size of the box height makes the glyph
   * cells (what viewers and pdftotext use) cover exactly the box. */
  box->x = w->x;
  box->width = w->width;
  box->size = w->height;
  box->baseline = page_height - w->y - (double) w->height * PE_PDF_FONT_ASCENT /
                                       PE_PDF_FONT_UNITS_PER_EM;
  return TRUE;
}

/* PDF/A-1 keeps reals within ±32767; only degenerate boxes (a rule read as a long flat "word",
 * a gap across the page) come near it, and they may lose some width. */
static double
clamp_scale (double tz)
{
  return CLAMP (tz, 0.01, 30000.0);
}

static gboolean
same_line (const PeOcrWord *a,
           const PeOcrWord *b)
{
  return a->block == b->block && a->par == b->par && a->line == b->line;
}

/* @sx and @sy scale the recognition's pixels to points. */
static void
append_text_layer (PePdfaWriter *self,
                   GString      *s,
                   PeOcrResult  *ocr,
                   double        sx,
                   double        sy,
                   double        page_height)
{
  guint n_words = pe_ocr_result_get_n_words (ocr);
  const double em = (double) PE_PDF_FONT_ADVANCE / PE_PDF_FONT_UNITS_PER_EM;
  double height = page_height / sy;

  g_string_append (s, "q\n");
  _pe_pdf_string_append_real (s, sx, 6);
  g_string_append (s, " 0 0 ");
  _pe_pdf_string_append_real (s, sy, 6);
  /* Render mode 3: neither filled nor stroked, the text is there only to be found. */
  g_string_append (s, " 0 0 cm\nBT\n3 Tr\n");
  for (guint i = 0; i < n_words; i++)
    {
      const PeOcrWord *w = pe_ocr_result_get_word (ocr, i);
      const PeOcrWord *next = i + 1 < n_words ? pe_ocr_result_get_word (ocr, i + 1) : NULL;
      g_autoptr(GString) cids = g_string_new (NULL);
      WordBox box, next_box;
      guint n;

      if (!word_box (w, height, &box))
        continue;
      n = append_word_cids (self, cids, w->text);
      if (n == 0)
        continue;

      /* Horizontal scaling stretches the n fixed-width glyphs over the box width. */
      g_string_append (s, "/F1 ");
      _pe_pdf_string_append_real (s, box.size, 2);
      g_string_append (s, " Tf ");
      _pe_pdf_string_append_real (s, clamp_scale (100.0 * box.width / (n * em * box.size)), 2);
      g_string_append (s, " Tz 1 0 0 1 ");
      _pe_pdf_string_append_real (s, box.x, 2);
      g_string_append_c (s, ' ');
      _pe_pdf_string_append_real (s, box.baseline, 2);
      g_string_append (s, " Tm ");
      g_string_append_len (s, cids->str, cids->len);
      g_string_append (s, " Tj");

      /* A real space between the words of a line, so text extraction and copy & paste get
       * "Sehr geehrter" and not "Sehrgeehrter"; it fills the gap to the next word and no
       * more, so it never overlaps that word's box. Lines are told apart by position. */
      if (next != NULL && same_line (w, next) && word_box (next, height, &next_box))
        {
          double gap = MAX (next_box.x - (box.x + box.width), 0.05);

          use_cid (self, 0x20);
          g_string_append_c (s, ' ');
          _pe_pdf_string_append_real (s, clamp_scale (100.0 * gap / (em * box.size)), 2);
          g_string_append (s, " Tz <0020> Tj");
        }
      g_string_append_c (s, '\n');
    }
  g_string_append (s, "ET\nQ\n");
}

static void
write_image_obj (PePdfaWriter     *self,
                 guint             num,
                 const PePdfImage *image)
{
  g_autoptr(GString) dict = g_string_new (NULL);

  g_string_append_printf (dict, "/Type /XObject /Subtype /Image /Width %u /Height %u ",
                          image->width, image->height);
  /* A stencil mask has no colour space: it is painted in the current fill colour. */
  if (image->image_mask)
    g_string_append (dict, "/ImageMask true /BitsPerComponent 1");
  else
    g_string_append_printf (dict, "/ColorSpace /%s /BitsPerComponent %u",
                            image->color_space, image->bits_per_component);
  g_string_append_printf (dict, " /Filter /%s", image->filter);
  if (image->decode_parms != NULL)
    g_string_append_printf (dict, " /DecodeParms %s", image->decode_parms);
  write_stream_obj (self, num, dict->str,
                    g_bytes_get_data (image->data, NULL), g_bytes_get_size (image->data));
}

/* "cm" that maps the unit square onto @w × @h at (@x, @y) */
static void
append_placement (GString *s,
                  double   x,
                  double   y,
                  double   w,
                  double   h)
{
  _pe_pdf_string_append_real (s, w, 4);
  g_string_append (s, " 0 0 ");
  _pe_pdf_string_append_real (s, h, 4);
  g_string_append_c (s, ' ');
  _pe_pdf_string_append_real (s, x, 4);
  g_string_append_c (s, ' ');
  _pe_pdf_string_append_real (s, y, 4);
  g_string_append (s, " cm ");
}

/* Writes the page whose images are @images, drawn (as /Im0, /Im1, …) by @content, with the
 * text layer of @ocr on top. */
static gboolean
write_page (PePdfaWriter      *self,
            guint              width,
            guint              height,
            double             xres,
            double             yres,
            double             page_w,
            double             page_h,
            const PePdfImage **images,
            guint              n_images,
            GString           *content,
            PeOcrResult       *ocr,
            GError           **error)
{
  g_autoptr(GBytes) zcontent = NULL;
  g_autofree guint *image_objs = g_new0 (guint, n_images);
  guint content_obj, page_obj;
  gboolean has_text;

  has_text = ocr != NULL && pe_ocr_result_get_n_words (ocr) > 0;
  if (has_text)
    {
      double sx = 72.0 / xres, sy = 72.0 / yres;

      /* Boxes are in the page's pixels; should the recognition have run on a scaled copy, its
       * own page size says by how much. */
      if (pe_ocr_result_get_width (ocr) > 0 && pe_ocr_result_get_height (ocr) > 0)
        {
          sx *= (double) width / pe_ocr_result_get_width (ocr);
          sy *= (double) height / pe_ocr_result_get_height (ocr);
        }
      if (self->used_cids == NULL)
        self->used_cids = g_new0 (guint32, N_BMP / 32);
      append_text_layer (self, content, ocr, sx, sy, page_h);
      if (self->font_obj == 0)
        self->font_obj = alloc_obj (self);
    }
  zcontent = _pe_pdf_deflate ((const guint8 *) content->str, content->len, 6);

  for (guint i = 0; i < n_images; i++)
    image_objs[i] = alloc_obj (self);
  content_obj = alloc_obj (self);
  page_obj = alloc_obj (self);

  for (guint i = 0; i < n_images; i++)
    write_image_obj (self, image_objs[i], images[i]);

  write_stream_obj (self, content_obj, "/Filter /FlateDecode",
                    g_bytes_get_data (zcontent, NULL), g_bytes_get_size (zcontent));

  begin_obj (self, page_obj);
  _pe_pdf_output_printf (self->out, "<< /Type /Page /Parent %u 0 R /MediaBox [0 0 ", OBJ_PAGES);
  _pe_pdf_output_real (self->out, page_w, 4);
  _pe_pdf_output_puts (self->out, " ");
  _pe_pdf_output_real (self->out, page_h, 4);
  _pe_pdf_output_puts (self->out, "] /Resources << /XObject <<");
  for (guint i = 0; i < n_images; i++)
    _pe_pdf_output_printf (self->out, " /Im%u %u 0 R", i, image_objs[i]);
  _pe_pdf_output_puts (self->out, " >>");
  if (has_text)
    _pe_pdf_output_printf (self->out, " /Font << /F1 %u 0 R >>", self->font_obj);
  _pe_pdf_output_printf (self->out, " >> /Contents %u 0 R >>", content_obj);
  end_obj (self);

  /* Flushed per page, so a full disk is reported at the page that hit it. */
  _pe_pdf_output_flush (self->out);
  if (!check_output (self, error))
    return FALSE;

  g_array_append_val (self->pages, page_obj);
  return TRUE;
}

/* The page's drawing: its image over the whole page, or the MRC background and then each
 * stencil mask in its ink. */
static GString *
page_content (PePdfPage *page,
              double     page_w,
              double     page_h)
{
  GString *content;
  double bg_w, bg_h;

  if (page->encoding != PE_PDF_PAGE_MRC)
    {
      content = g_string_new ("q\n");
      append_placement (content, 0, 0, page_w, page_h);
      g_string_append (content, "\n/Im0 Do\nQ\n");
      return content;
    }

  /* The background's last row and column may stand out beyond the page (its blocks are whole
   * multiples of the page's pixels); it is drawn at its true scale, top left on the page's,
   * and the page clips the rest, so that it lies exactly under the text. */
  bg_w = page->images[0].width * page->factor * 72.0 / page->x_dpi;
  bg_h = page->images[0].height * page->factor * 72.0 / page->y_dpi;
  content = g_string_new ("q ");
  append_placement (content, 0, page_h - bg_h, bg_w, bg_h);
  g_string_append (content, "/Im0 Do Q\n");

  for (guint i = 1; i < page->n_images; i++)
    {
      const guint8 *rgb = page->rgb[i];

      g_string_append (content, "q ");
      if (rgb[0] == rgb[1] && rgb[1] == rgb[2])
        {
          _pe_pdf_string_append_real (content, rgb[0] / 255.0, 3);
          g_string_append (content, " g ");
        }
      else
        {
          for (guint c = 0; c < 3; c++)
            {
              _pe_pdf_string_append_real (content, rgb[c] / 255.0, 3);
              g_string_append_c (content, ' ');
            }
          g_string_append (content, "rg ");
        }
      append_placement (content, 0, 0, page_w, page_h);
      g_string_append_printf (content, "/Im%u Do Q\n", i);
    }
  return content;
}

static gboolean
add_pdf_page (PePdfaWriter  *self,
              PePdfPage     *page,
              PeOcrResult   *ocr,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(GString) content = NULL;
  const PePdfImage *images[PE_PDF_PAGE_MAX_IMAGES];
  double page_w, page_h;
  gint64 start = g_get_monotonic_time ();
  gboolean ok;

  if (!check_usable (self, error))
    return FALSE;
  /* Nothing of this page is in the file yet: a cancel here leaves a document that can still be
   * finished with the pages before. */
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  pe_pdf_page_get_size_pt (page, &page_w, &page_h);
  content = page_content (page, page_w, page_h);
  for (guint i = 0; i < page->n_images; i++)
    images[i] = &page->images[i];

  ok = write_page (self, page->width, page->height, page->x_dpi, page->y_dpi, page_w, page_h,
                   images, page->n_images, content, ocr, error);
  self->add_usec += g_get_monotonic_time () - start;
  return ok;
}

/* Encodes with the writer's settings, then adds: the one way pages get into the file. */
static gboolean
add_page (PePdfaWriter        *self,
          PIX                 *pix,
          PePdfImageEncoding   encoding,
          GBytes              *jpeg,
          PIX                 *mask,
          PeOcrResult         *ocr,
          GCancellable        *cancellable,
          GError             **error)
{
  PePdfPageParams params = {
    .jpeg_quality = self->jpeg_quality,
    .mrc_dpi = self->mrc_dpi,
    .mrc_quality = self->mrc_quality,
    .mrc_mask = mask,
  };
  g_autoptr(PePdfPage) page = NULL;
  gint64 start;

  if (!check_usable (self, error))
    return FALSE;

  start = g_get_monotonic_time ();
  page = pe_pdf_page_new (pix, encoding, jpeg, &params, cancellable, error);
  /* the time in add_page counts the encoding, of which encode_usec says how much it was */
  self->add_usec += g_get_monotonic_time () - start;
  if (page == NULL)
    return FALSE;
  self->encode_usec += page->encode_usec;

  return add_pdf_page (self, page, ocr, cancellable, error);
}

gboolean
pe_pdfa_writer_add_page (PePdfaWriter        *self,
                         PIX                 *pix,
                         PePdfImageEncoding   encoding,
                         GBytes              *jpeg,
                         PeOcrResult         *ocr,
                         GCancellable        *cancellable,
                         GError             **error)
{
  g_return_val_if_fail (PE_IS_PDFA_WRITER (self), FALSE);
  g_return_val_if_fail (pix != NULL, FALSE);
  g_return_val_if_fail (encoding >= PE_PDF_IMAGE_AUTO && encoding <= PE_PDF_IMAGE_MRC, FALSE);
  g_return_val_if_fail (!self->finished, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return add_page (self, pix, encoding, jpeg, NULL, ocr, cancellable, error);
}

gboolean
pe_pdfa_writer_add_page_mrc (PePdfaWriter  *self,
                             PIX           *pix,
                             PIX           *mask,
                             PeOcrResult   *ocr,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_return_val_if_fail (PE_IS_PDFA_WRITER (self), FALSE);
  g_return_val_if_fail (pix != NULL, FALSE);
  g_return_val_if_fail (mask == NULL || pixGetDepth (mask) == 1, FALSE);
  g_return_val_if_fail (mask == NULL || (pixGetWidth (mask) == pixGetWidth (pix) &&
                                         pixGetHeight (mask) == pixGetHeight (pix)), FALSE);
  g_return_val_if_fail (!self->finished, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return add_page (self, pix, PE_PDF_IMAGE_MRC, NULL, mask, ocr, cancellable, error);
}

gboolean
pe_pdfa_writer_add_pdf_page (PePdfaWriter  *self,
                             PePdfPage     *page,
                             PeOcrResult   *ocr,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_return_val_if_fail (PE_IS_PDFA_WRITER (self), FALSE);
  g_return_val_if_fail (PE_IS_PDF_PAGE (page), FALSE);
  g_return_val_if_fail (!self->finished, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return add_pdf_page (self, page, ocr, cancellable, error);
}

void
_pe_pdfa_writer_get_timing (PePdfaWriter *self,
                            gint64       *add_usec,
                            gint64       *encode_usec)
{
  g_return_if_fail (PE_IS_PDFA_WRITER (self));

  if (add_usec != NULL)
    *add_usec = self->add_usec;
  if (encode_usec != NULL)
    *encode_usec = self->encode_usec;
}

/* Document-wide objects -------------------------------------------------------------------- */

static void
append_cmap_entries (GString    *s,
                     GPtrArray  *entries,
                     const char *kind)
{
  for (guint i = 0; i < entries->len; i += 100)
    {
      guint n = MIN (100, entries->len - i);

      g_string_append_printf (s, "%u begin%s\n", n, kind);
      for (guint k = 0; k < n; k++)
        g_string_append (s, g_ptr_array_index (entries, i + k));
      g_string_append_printf (s, "end%s\n", kind);
    }
}

/* Each CID is its own Unicode code point; only the characters the pages show are listed, in
 * runs within one high byte (a bfrange may not cross one). */
static char *
build_to_unicode (PePdfaWriter *self)
{
  g_autoptr(GPtrArray) chars = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) ranges = g_ptr_array_new_with_free_func (g_free);
  GString *s = g_string_new (NULL);

  for (guint c = 0; c < N_BMP; c++)
    {
      guint end = c;

      if (!is_cid_used (self, c))
        continue;
      while (end + 1 < N_BMP && ((end + 1) & 0xff) != 0 && is_cid_used (self, end + 1))
        end++;
      if (end == c)
        g_ptr_array_add (chars, g_strdup_printf ("<%04X> <%04X>\n", c, c));
      else
        g_ptr_array_add (ranges, g_strdup_printf ("<%04X> <%04X> <%04X>\n", c, end, c));
      c = end;
    }

  g_string_append (s,
    "/CIDInit /ProcSet findresource begin\n"
    "12 dict begin\n"
    "begincmap\n"
    "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
    "/CMapName /Adobe-Identity-UCS def\n"
    "/CMapType 2 def\n"
    "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
  append_cmap_entries (s, chars, "bfchar");
  append_cmap_entries (s, ranges, "bfrange");
  g_string_append (s,
    "endcmap\n"
    "CMapName currentdict /CMapResource defineresource pop\n"
    "end\n"
    "end\n");

  return g_string_free (s, FALSE);
}

static void
write_font (PePdfaWriter *self)
{
  g_autoptr(GBytes) font = _pe_pdf_font_get_glyphless ();
  g_autofree guint8 *cid_to_gid = g_malloc (2 * N_BMP);
  g_autofree guint8 *cid_set = g_malloc (N_BMP / 8);
  g_autofree char *to_unicode = build_to_unicode (self);
  g_autofree char *font_dict = NULL;
  guint cid_font = alloc_obj (self);
  guint descriptor = alloc_obj (self);
  guint font_file = alloc_obj (self);
  guint map = alloc_obj (self);
  guint set = alloc_obj (self);
  guint unicode = alloc_obj (self);

  begin_obj (self, self->font_obj);
  _pe_pdf_output_printf (self->out,
                         "<< /Type /Font /Subtype /Type0 /BaseFont /" PE_PDF_FONT_NAME
                         " /Encoding /Identity-H /DescendantFonts [%u 0 R] /ToUnicode %u 0 R >>",
                         cid_font, unicode);
  end_obj (self);

  begin_obj (self, cid_font);
  _pe_pdf_output_printf (self->out,
                         "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /" PE_PDF_FONT_NAME
                         " /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) "
                         "/Supplement 0 >> /FontDescriptor %u 0 R /DW %d /CIDToGIDMap %u 0 R >>",
                         descriptor, PE_PDF_FONT_ADVANCE, map);
  end_obj (self);

  begin_obj (self, descriptor);
  _pe_pdf_output_printf (self->out,
                         "<< /Type /FontDescriptor /FontName /" PE_PDF_FONT_NAME " /Flags 5 "
                         "/FontBBox [0 %d %d %d] /ItalicAngle 0 /Ascent %d /Descent %d "
                         "/CapHeight %d /StemV 80 /FontFile2 %u 0 R /CIDSet %u 0 R >>",
                         PE_PDF_FONT_DESCENT, PE_PDF_FONT_ADVANCE, PE_PDF_FONT_ASCENT,
                         PE_PDF_FONT_ASCENT, PE_PDF_FONT_DESCENT, PE_PDF_FONT_ASCENT,
                         font_file, set);
  end_obj (self);

  font_dict = g_strdup_printf ("/Length1 %" G_GSIZE_FORMAT, g_bytes_get_size (font));
  write_flate_obj (self, font_file, font_dict,
                   g_bytes_get_data (font, NULL), g_bytes_get_size (font));

  /* Every CID shows glyph 1, so every CID is present in the font program and the CIDSet
   * (PDF/A-1: which CIDs the embedded font has) lists them all. */
  for (guint i = 0; i < N_BMP; i++)
    {
      cid_to_gid[2 * i] = 0;
      cid_to_gid[2 * i + 1] = 1;
    }
  write_flate_obj (self, map, "", cid_to_gid, 2 * N_BMP);
  memset (cid_set, 0xff, N_BMP / 8);
  write_flate_obj (self, set, "", cid_set, N_BMP / 8);

  write_flate_obj (self, unicode, "", to_unicode, strlen (to_unicode));
}

static void
md5 (const char *data,
     guint8      digest[16])
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_MD5);
  gsize len = 16;

  g_checksum_update (sum, (const guchar *) data, -1);
  g_checksum_get_digest (sum, digest, &len);
}

static guint
write_attachment (PePdfaWriter        *self,
                  const PePdfMetadata *md,
                  const char          *date)
{
  const char *name = md->attachment_name != NULL ? md->attachment_name : "metadata.xml";
  gsize len;
  const guint8 *data = g_bytes_get_data (md->attachment_xml, &len);
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_MD5);
  guint8 digest[16];
  gsize digest_len = sizeof digest;
  guint file = alloc_obj (self);
  guint spec = alloc_obj (self);
  g_autoptr(GString) dict = g_string_new (NULL);
  g_autoptr(GString) hex = g_string_new (NULL);

  g_checksum_update (sum, data, len);
  g_checksum_get_digest (sum, digest, &digest_len);
  for (guint i = 0; i < 16; i++)
    g_string_append_printf (hex, "%02X", digest[i]);

  g_string_append_printf (dict, "/Type /EmbeddedFile /Subtype /text#2Fxml /Params << "
                          "/ModDate (%s) /Size %" G_GSIZE_FORMAT " /CheckSum <%s> >>",
                          date, len, hex->str);
  write_flate_obj (self, file, dict->str, data, len);

  begin_obj (self, spec);
  _pe_pdf_output_puts (self->out, "<< /Type /Filespec /F ");
  _pe_pdf_output_text (self->out, name);
  _pe_pdf_output_puts (self->out, " /UF ");
  _pe_pdf_output_text (self->out, name);
  _pe_pdf_output_printf (self->out, " /EF << /F %u 0 R /UF %u 0 R >> /AFRelationship /Data "
                         "/Desc (Posteingang document metadata) >>", file, file);
  end_obj (self);

  return spec;
}

static void
write_info_entry (PePdfaWriter *self,
                  const char   *key,
                  const char   *value)
{
  g_autofree char *clean = _pe_xmp_clean_text (value);

  if (clean == NULL)
    return;
  _pe_pdf_output_printf (self->out, " /%s ", key);
  _pe_pdf_output_text (self->out, clean);
}

static gboolean
fsync_dir (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int rc;

  if (fd < 0)
    return FALSE;
  rc = fsync (fd);
  close (fd);
  return rc == 0;
}

gboolean
pe_pdfa_writer_finish (PePdfaWriter         *self,
                       const PePdfMetadata  *metadata,
                       GError              **error)
{
  static const PePdfMetadata empty = { 0 };
  const PePdfMetadata *md = metadata != NULL ? metadata : &empty;
  g_autofree char *pdf_date = NULL;
  g_autofree char *xmp = NULL;
  g_auto(GStrv) languages = NULL;
  g_autofree char *id_seed = NULL;
  guint8 id1[16], id2[16];
  guint metadata_obj, info_obj, spec_obj = 0;
  guint64 xref;

  g_return_val_if_fail (PE_IS_PDFA_WRITER (self), FALSE);
  g_return_val_if_fail (!self->finished, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_usable (self, error))
    return FALSE;
  if (self->pages->len == 0)
    {
      g_set_error (error, PE_ERROR, PE_ERROR_INVALID,
                   _("The document has no pages. Add at least one page before saving it."));
      return FALSE;
    }

  pdf_date = _pe_pdf_format_date (self->created);

  if (self->font_obj != 0)
    write_font (self);

  if (self->level == PE_PDFA_3B && md->attachment_xml != NULL)
    spec_obj = write_attachment (self, md, pdf_date);

  /* The XMP packet stays uncompressed: PDF/A-1 forbids a filter on it, and archive tools find
   * the pdfaid entries by scanning the bytes. */
  xmp = _pe_xmp_packet_new (self->level, md, self->created, self->created, PRODUCER);
  metadata_obj = alloc_obj (self);
  write_stream_obj (self, metadata_obj, "/Type /Metadata /Subtype /XML", xmp, strlen (xmp));

  /* The Info dictionary repeats the XMP values exactly; validators compare them. */
  info_obj = alloc_obj (self);
  begin_obj (self, info_obj);
  _pe_pdf_output_puts (self->out, "<<");
  write_info_entry (self, "Title", md->title);
  write_info_entry (self, "Author", md->sender);
  write_info_entry (self, "Creator", PRODUCER);
  write_info_entry (self, "Producer", PRODUCER);
  write_info_entry (self, "CreationDate", pdf_date);
  write_info_entry (self, "ModDate", pdf_date);
  _pe_pdf_output_puts (self->out, " >>");
  end_obj (self);

  begin_obj (self, OBJ_PAGES);
  _pe_pdf_output_puts (self->out, "<< /Type /Pages /Kids [");
  for (guint i = 0; i < self->pages->len; i++)
    _pe_pdf_output_printf (self->out, "%s%u 0 R", i % 10 == 0 ? "\n" : " ",
                           g_array_index (self->pages, guint, i));
  _pe_pdf_output_printf (self->out, "\n] /Count %u >>", self->pages->len);
  end_obj (self);

  begin_obj (self, OBJ_CATALOG);
  _pe_pdf_output_printf (self->out,
                         "<< /Type /Catalog /Pages %u 0 R /Metadata %u 0 R /OutputIntents [<< "
                         "/Type /OutputIntent /S /GTS_PDFA1 /OutputConditionIdentifier "
                         "(sRGB IEC61966-2.1) /Info (sRGB IEC61966-2.1) "
                         "/RegistryName (http://www.color.org) /DestOutputProfile %u 0 R >>]",
                         OBJ_PAGES, metadata_obj, self->icc_obj);
  languages = _pe_xmp_languages (md->languages);
  if (languages[0] != NULL)
    {
      _pe_pdf_output_puts (self->out, " /Lang ");
      _pe_pdf_output_text (self->out, languages[0]);
    }
  if (spec_obj != 0)
    {
      const char *name = md->attachment_name != NULL ? md->attachment_name : "metadata.xml";

      _pe_pdf_output_puts (self->out, " /Names << /EmbeddedFiles << /Names [");
      _pe_pdf_output_text (self->out, name);
      _pe_pdf_output_printf (self->out, " %u 0 R] >> >> /AF [%u 0 R]", spec_obj, spec_obj);
    }
  _pe_pdf_output_puts (self->out, " >>");
  end_obj (self);

  /* Classic cross-reference table: 20 bytes per entry, "nnnnnnnnnn ggggg n" + space + LF. */
  xref = _pe_pdf_output_tell (self->out);
  _pe_pdf_output_printf (self->out, "xref\n0 %u\n0000000000 65535 f \n", self->offsets->len);
  for (guint i = 1; i < self->offsets->len; i++)
    {
      guint64 offset = g_array_index (self->offsets, guint64, i);

      g_assert (offset != 0);
      _pe_pdf_output_printf (self->out, "%010" G_GUINT64_FORMAT " 00000 n \n", offset);
    }

  /* The first ID is the document's permanent identity, the second this very file. */
  id_seed = md->document_id != NULL ? g_strdup (md->document_id)
                                    : g_strdup_printf ("%s\n%s\n%u", self->path, pdf_date,
                                                       g_random_int ());
  md5 (id_seed, id1);
  {
    g_autofree char *instance = g_strdup_printf ("%s\n%s\n%u", id_seed, pdf_date,
                                                 self->pages->len);

    md5 (instance, id2);
  }
  _pe_pdf_output_printf (self->out, "trailer\n<< /Size %u /Root %u 0 R /Info %u 0 R /ID [",
                         self->offsets->len, OBJ_CATALOG, info_obj);
  _pe_pdf_output_hex (self->out, id1, 16);
  _pe_pdf_output_puts (self->out, " ");
  _pe_pdf_output_hex (self->out, id2, 16);
  _pe_pdf_output_printf (self->out, "] >>\nstartxref\n%" G_GUINT64_FORMAT "\n%%%%EOF\n", xref);

  _pe_pdf_output_flush (self->out);
  if (!check_output (self, error))
    return FALSE;

  /* Data on disk before the name: after a crash the target is either absent or complete. */
  if (fsync (self->fd) != 0 || close (self->fd) != 0)
    {
      int errsv = errno;

      self->fd = -1;
      set_errno_error (self, errsv, &self->failure);
      return fail (self, error);
    }
  self->fd = -1;

  if (g_rename (self->tmp_path, self->path) != 0)
    {
      int errsv = errno;

      set_errno_error (self, errsv, &self->failure);
      return fail (self, error);
    }
  g_clear_pointer (&self->tmp_path, g_free);
  self->finished = TRUE;

  /* The rename itself reaches the disk with the directory. Some file systems cannot sync a
   * directory; the file is complete and in place either way. */
  if (!fsync_dir (self->path))
    g_debug ("Could not sync the directory of %s: %s", self->path, g_strerror (errno));

  return TRUE;
}

/* Levels ------------------------------------------------------------------------------------ */

const char *
pe_pdfa_level_to_string (PePdfaLevel level)
{
  switch (level)
    {
    case PE_PDFA_1B: return "1b";
    case PE_PDFA_2B: return "2b";
    case PE_PDFA_2U: return "2u";
    case PE_PDFA_3B: return "3b";
    default: return NULL;
    }
}

gboolean
pe_pdfa_level_from_string (const char  *str,
                           PePdfaLevel *level)
{
  static const PePdfaLevel levels[] = { PE_PDFA_1B, PE_PDFA_2B, PE_PDFA_2U, PE_PDFA_3B };

  g_return_val_if_fail (str != NULL, FALSE);

  /* "2b", "PDF/A-2b" and "pdfa-2b" all name the same level */
  if (g_ascii_strncasecmp (str, "PDF/A-", 6) == 0)
    str += 6;
  else if (g_ascii_strncasecmp (str, "PDFA-", 5) == 0)
    str += 5;

  for (guint i = 0; i < G_N_ELEMENTS (levels); i++)
    if (g_ascii_strcasecmp (str, pe_pdfa_level_to_string (levels[i])) == 0)
      {
        if (level != NULL)
          *level = levels[i];
        return TRUE;
      }
  return FALSE;
}
