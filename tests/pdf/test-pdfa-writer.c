/* test-pdfa-writer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Builds PDF/A files from the sample pages with stored Tesseract results (tests/data/pdf/p000N.tsv,
 * made once with `tesseract PAGE.png OUT -l deu tsv`) and checks them with the same tools an
 * archive would use: PDFBox Preflight (tools/pdfa-check), qpdf, poppler's pdftotext, pdfinfo,
 * pdfdetach and pdftoppm.
 */
#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <math.h>
#include <string.h>
#include <sys/mount.h>

#include "pe-error.h"
#include "pe-types.h"
#include "pe-pdfa-writer.h"
#include "pe-pdf-image.h"
#include "pe-pdf-mrc.h"
#include "pe-test-common.h"

#define DOC_ID "3f2b8c1e-0d4a-4e6b-9a51-7c2d9e0f1a23"

static const char attachment[] =
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
  "<dokument id=\"" DOC_ID "\"><betreff>Äußerung zum geplanten Vorhaben</betreff></dokument>\n";

/* Helpers ----------------------------------------------------------------------------------- */

/* The sample page at 300 dpi, black and white, as a mailroom scanner delivers text pages. */
static PIX *
binarize_300 (PIX *pix)
{
  g_autoptr(PIX) grey = pixConvertTo8 (pix, FALSE);
  g_autoptr(PIX) scaled = pixScale (grey, 1.5, 1.5);
  PIX *bw = pixConvertTo1 (scaled, 160);

  pixSetResolution (bw, 300, 300);
  return bw;
}

static PePdfMetadata
sample_metadata (void)
{
  PePdfMetadata md = {
    .document_id = DOC_ID,
    .title = "Äußerung zum geplanten Vorhaben",
    .sender = "Landesamt für Bau und Liegenschaften",
    .letter_date = "28.01.2026",
    .document_type = "Stellungnahme",
    .case_reference = "OA/663-26",
    .org_unit = "Bauamt – Sachgebiet 63",
    .intake_date = "2026-02-02",
    .protocol_ref = "scan-2026-02-02-0001",
    .languages = "deu",
  };

  return md;
}

static char *
run_ok (const char *const *argv)
{
  g_autofree char *err = NULL;
  char *out = NULL;
  int status = pe_test_run (argv, &out, &err);

  if (status != 0)
    g_error ("%s failed (%d): %s%s", argv[0], status, out, err);
  return out;
}

static void
assert_qpdf_clean (const char *path)
{
  const char *argv[] = { "qpdf", "--check", path, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = pe_test_run (argv, &out, &err);

  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "No syntax or stream encoding errors found"));
  g_assert_cmpstr (err, ==, "");
}

/* Runs pdfa-check once over @files (the JVM start is the slow part) and returns the verdict
 * line of each file and its error lines. */
static GHashTable *
pdfa_check (const char *const *files)
{
  g_autofree char *tool = pe_test_tool_path ("pdfa-check");
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) lines = NULL;
  GHashTable *verdicts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  char *current = NULL;

  g_ptr_array_add (argv, tool);
  for (guint i = 0; files[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) files[i]);
  g_ptr_array_add (argv, NULL);

  pe_test_run ((const char *const *) argv->pdata, &out, &err);
  g_test_message ("pdfa-check:\n%s%s", out, err);

  /* "VERDICT file" lines, each followed by its indented validator output, of which the
   * "N.N.N : message" lines are Preflight's errors */
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *space = strchr (lines[i], ' ');

      if (lines[i][0] != ' ' && space != NULL)
        {
          *space = '\0';
          g_free (current);
          current = g_strdup (space + 1);
          g_hash_table_insert (verdicts, g_strdup (current), g_strdup (lines[i]));
        }
      else if (current != NULL && g_regex_match_simple ("^ *[0-9]+(\\.[0-9]+)* : ", lines[i],
                                                        0, 0))
        {
          g_autofree char *key = g_strconcat ("errors:", current, NULL);
          const char *prev = g_hash_table_lookup (verdicts, key);

          g_hash_table_insert (verdicts, g_strdup (key),
                               g_strconcat (prev ? prev : "", lines[i], "\n", NULL));
        }
    }
  g_free (current);

  return verdicts;
}

/* memmem() without _GNU_SOURCE; PDF files hold NUL bytes, so no str* function will do. */
static const char *
find_bytes (const char *data,
            gsize       len,
            const void *needle,
            gsize       needle_len)
{
  for (gsize i = 0; needle_len <= len && i <= len - needle_len; i++)
    if (memcmp (data + i, needle, needle_len) == 0)
      return data + i;
  return NULL;
}

static char *
read_xmp (const char *path)
{
  g_autofree char *data = NULL;
  gsize len;
  const char *start, *end;

  g_file_get_contents (path, &data, &len, NULL);
  g_assert_nonnull (data);
  start = find_bytes (data, len, "<?xpacket begin=", 16);
  g_assert_nonnull (start);
  end = find_bytes (start, len - (start - data), "<?xpacket end=\"w\"?>", 19);
  g_assert_nonnull (end);
  return g_strndup (start, end - start);
}

static gboolean
file_contains (const char   *path,
               const void   *needle,
               gsize         needle_len)
{
  g_autofree char *data = NULL;
  gsize len;

  g_file_get_contents (path, &data, &len, NULL);
  g_assert_nonnull (data);
  return find_bytes (data, len, needle, needle_len) != NULL;
}

static void
write_pdf (PePdfaLevel          level,
           const char          *path,
           PIX                **pixes,
           PeOcrResult        **ocrs,
           guint                n_pages,
           PePdfImageEncoding   encoding,
           const PePdfMetadata *md)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PePdfaWriter) writer = pe_pdfa_writer_new (level, path, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < n_pages; i++)
    {
      pe_pdfa_writer_add_page (writer, pixes[i], encoding, NULL, ocrs ? ocrs[i] : NULL, NULL,
                               &error);
      g_assert_no_error (error);
    }
  pe_pdfa_writer_finish (writer, md, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
}

static guint
count_dir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

typedef struct
{
  double x0, y0, x1, y1;
  char *text;
  gboolean used;
} BBoxWord;

static void
bbox_word_free (gpointer data)
{
  BBoxWord *w = data;

  g_free (w->text);
  g_free (w);
}

static char *
unescape_html (const char *s)
{
  GString *r = g_string_new (NULL);

  for (const char *p = s; *p != '\0'; p++)
    {
      if (g_str_has_prefix (p, "&amp;")) { g_string_append_c (r, '&'); p += 4; }
      else if (g_str_has_prefix (p, "&lt;")) { g_string_append_c (r, '<'); p += 3; }
      else if (g_str_has_prefix (p, "&gt;")) { g_string_append_c (r, '>'); p += 3; }
      else if (g_str_has_prefix (p, "&quot;")) { g_string_append_c (r, '"'); p += 5; }
      else if (g_str_has_prefix (p, "&apos;")) { g_string_append_c (r, '\''); p += 5; }
      else g_string_append_c (r, *p);
    }
  return g_string_free (r, FALSE);
}

static GPtrArray *
pdftotext_bbox (const char *path,
                int         page)
{
  g_autofree char *page_str = g_strdup_printf ("%d", page);
  const char *argv[] = { "pdftotext", "-bbox", "-f", page_str, "-l", page_str, path, "-", NULL };
  g_autofree char *out = run_ok (argv);
  g_autoptr(GRegex) re = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  GPtrArray *words = g_ptr_array_new_with_free_func (bbox_word_free);

  re = g_regex_new ("<word xMin=\"([0-9.]+)\" yMin=\"([0-9.]+)\" xMax=\"([0-9.]+)\" "
                    "yMax=\"([0-9.]+)\">([^<]*)</word>", 0, 0, NULL);
  g_regex_match (re, out, 0, &match);
  while (g_match_info_matches (match))
    {
      BBoxWord *w = g_new0 (BBoxWord, 1);
      g_autofree char *text = g_match_info_fetch (match, 5);

      for (int k = 0; k < 4; k++)
        {
          g_autofree char *num = g_match_info_fetch (match, k + 1);
          double v = g_ascii_strtod (num, NULL);

          if (k == 0) w->x0 = v;
          else if (k == 1) w->y0 = v;
          else if (k == 2) w->x1 = v;
          else w->y1 = v;
        }
      w->text = unescape_html (text);
      g_ptr_array_add (words, w);
      g_match_info_next (match, NULL);
    }
  return words;
}

/* Every OCR word must come out of pdftotext with the same text and a box within 2 pt of its
 * image box; returns the largest deviation seen. */
static double
assert_words_on_boxes (const char  *pdf,
                       int          page,
                       PeOcrResult *ocr,
                       double       pt_per_px)
{
  g_autoptr(GPtrArray) words = pdftotext_bbox (pdf, page);
  guint n = pe_ocr_result_get_n_words (ocr);
  double worst = 0;

  g_assert_cmpuint (words->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      const PeOcrWord *w = pe_ocr_result_get_word (ocr, i);
      double ex0 = w->x * pt_per_px, ey0 = w->y * pt_per_px;
      double ex1 = (w->x + w->width) * pt_per_px, ey1 = (w->y + w->height) * pt_per_px;
      BBoxWord *best = NULL;
      double best_dev = G_MAXDOUBLE;

      for (guint k = 0; k < words->len; k++)
        {
          BBoxWord *b = g_ptr_array_index (words, k);
          double dev;

          if (b->used || strcmp (b->text, w->text) != 0)
            continue;
          dev = MAX (MAX (fabs (b->x0 - ex0), fabs (b->y0 - ey0)),
                     MAX (fabs (b->x1 - ex1), fabs (b->y1 - ey1)));
          if (dev < best_dev)
            {
              best = b;
              best_dev = dev;
            }
        }
      if (best == NULL || best_dev > 2.0)
        g_error ("word %u “%s” at %.1f,%.1f: %s (deviation %.2f pt)", i, w->text, ex0, ey0,
                 best ? "misplaced" : "not found by pdftotext", best_dev);
      best->used = TRUE;
      worst = MAX (worst, best_dev);
    }
  return worst;
}

/* Tests ------------------------------------------------------------------------------------- */

static void
test_levels (void)
{
  g_autofree char *dir = pe_test_mkdtemp ();
  g_autoptr(PIX) colour = pe_test_load_sample_page ("p0001.png");
  g_autoptr(PIX) grey = pe_test_load_sample_page ("p0003.png");
  g_autoptr(PeOcrResult) ocr1 = pe_test_load_ocr ("pdf/p0001.tsv");
  g_autoptr(PeOcrResult) ocr3 = pe_test_load_ocr ("pdf/p0003.tsv");
  g_autoptr(GBytes) xml = g_bytes_new_static (attachment, strlen (attachment));
  PIX *pixes[] = { colour, grey };
  PeOcrResult *ocrs[] = { ocr1, ocr3 };
  static const struct { PePdfaLevel level; const char *verdict; } levels[] = {
    { PE_PDFA_2B, "PASS-2B-UNDER-1B-RULES" },
    { PE_PDFA_1B, "PASS" },
    { PE_PDFA_2U, "PASS-2B-UNDER-1B-RULES" },
    { PE_PDFA_3B, "PASS-3B-UNDER-1B-RULES" },
  };
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) verdicts = NULL;
  PePdfMetadata md = sample_metadata ();

  if (pe_test_skip_unless_program ("qpdf") || pe_test_skip_unless_program ("java") ||
      pe_test_skip_unless_program ("pdfinfo") || pe_test_skip_unless_program ("pdfdetach"))
    return;

  md.attachment_xml = xml;
  for (guint i = 0; i < G_N_ELEMENTS (levels); i++)
    {
      g_autofree char *name = g_strdup_printf ("doc-%s.pdf",
                                               pe_pdfa_level_to_string (levels[i].level));
      char *path = g_build_filename (dir, name, NULL);

      write_pdf (levels[i].level, path, pixes, ocrs, 2, PE_PDF_IMAGE_AUTO, &md);
      g_ptr_array_add (files, path);
    }
  g_ptr_array_add (files, NULL);

  verdicts = pdfa_check ((const char *const *) files->pdata);
  for (guint i = 0; i < G_N_ELEMENTS (levels); i++)
    {
      const char *path = g_ptr_array_index (files, i);
      g_autofree char *key = g_strconcat ("errors:", path, NULL);
      const char *verdict = g_hash_table_lookup (verdicts, path);
      const char *errors = g_hash_table_lookup (verdicts, key);

      g_assert_nonnull (verdict);
      g_assert_cmpstr (verdict, ==, levels[i].verdict);
      g_assert_null (errors);
      assert_qpdf_clean (path);
    }

  /* Info dictionary as pdfinfo sees it */
  for (guint i = 0; i < G_N_ELEMENTS (levels); i++)
    {
      const char *path = g_ptr_array_index (files, i);
      const char *argv[] = { "pdfinfo", path, NULL };
      g_autofree char *info = run_ok (argv);
      g_autofree char *xmp = read_xmp (path);
      g_autofree char *header = NULL;

      g_assert_nonnull (strstr (info, "Title:           Äußerung zum geplanten Vorhaben\n"));
      g_assert_nonnull (strstr (info, "Author:          Landesamt für Bau und Liegenschaften\n"));
      g_assert_nonnull (strstr (info, "Producer:        Posteingang " PACKAGE_VERSION "\n"));
      g_assert_nonnull (strstr (info, "Pages:           2\n"));
      g_assert_nonnull (strstr (info, "Page size:       595.44 x 842.04 pts (A4)\n"));

      g_file_get_contents (path, &header, NULL, NULL);
      header[8] = '\0';
      g_assert_cmpstr (header, ==, levels[i].level == PE_PDFA_1B ? "%PDF-1.4" : "%PDF-1.7");

      /* the XMP packet: identification, Dublin Core and our own schema with its description */
      g_assert_nonnull (strstr (xmp, levels[i].level == PE_PDFA_1B ? "<pdfaid:part>1<" :
                                     levels[i].level == PE_PDFA_3B ? "<pdfaid:part>3<" :
                                     "<pdfaid:part>2<"));
      g_assert_nonnull (strstr (xmp, levels[i].level == PE_PDFA_2U ?
                                     "<pdfaid:conformance>U<" : "<pdfaid:conformance>B<"));
      g_assert_nonnull (strstr (xmp, "<rdf:li xml:lang=\"x-default\">Äußerung zum geplanten "
                                     "Vorhaben</rdf:li>"));
      g_assert_nonnull (strstr (xmp, "<dc:creator><rdf:Seq><rdf:li>Landesamt für Bau und "
                                     "Liegenschaften</rdf:li></rdf:Seq></dc:creator>"));
      g_assert_nonnull (strstr (xmp, "<dc:date><rdf:Seq><rdf:li>2026-01-28</rdf:li>"));
      g_assert_nonnull (strstr (xmp, "<dc:language><rdf:Bag><rdf:li>de</rdf:li></rdf:Bag>"));
      g_assert_nonnull (strstr (xmp, "<pdf:Producer>Posteingang " PACKAGE_VERSION "<"));
      g_assert_nonnull (strstr (xmp, "<xmp:CreatorTool>Posteingang " PACKAGE_VERSION "<"));
      g_assert_nonnull (strstr (xmp, "<xmp:MetadataDate>"));
      g_assert_nonnull (strstr (xmp, "<pdfaSchema:namespaceURI>https://posteingang.de/ns/1.0/<"));
      g_assert_nonnull (strstr (xmp, "<pe:documentType>Stellungnahme</pe:documentType>"));
      g_assert_nonnull (strstr (xmp, "<pe:caseReference>OA/663-26</pe:caseReference>"));
      g_assert_nonnull (strstr (xmp, "<pe:orgUnit>Bauamt – Sachgebiet 63</pe:orgUnit>"));
      g_assert_nonnull (strstr (xmp, "<pe:intakeDate>2026-02-02</pe:intakeDate>"));
      g_assert_nonnull (strstr (xmp, "<pe:protocolRef>scan-2026-02-02-0001</pe:protocolRef>"));
      g_assert_nonnull (strstr (xmp, "<pe:documentId>" DOC_ID "</pe:documentId>"));
    }

  /* PDF/A-3b carries the sidecar as an associated file; the others must not embed anything */
  for (guint i = 0; i < G_N_ELEMENTS (levels); i++)
    {
      const char *path = g_ptr_array_index (files, i);
      const char *argv[] = { "pdfdetach", "-list", path, NULL };
      g_autofree char *list = run_ok (argv);

      if (levels[i].level == PE_PDFA_3B)
        {
          g_autofree char *saved = g_build_filename (dir, "detached.xml", NULL);
          const char *save[] = { "pdfdetach", "-save", "1", "-o", saved, path, NULL };
          g_autofree char *out = run_ok (save);
          g_autofree char *content = NULL;

          g_assert_nonnull (strstr (list, "1 embedded files\n1: metadata.xml"));
          g_file_get_contents (saved, &content, NULL, NULL);
          g_assert_cmpstr (content, ==, attachment);
          g_assert_true (file_contains (path, "/AFRelationship /Data", 21));
          g_assert_true (file_contains (path, "/Subtype /text#2Fxml", 20));
          g_assert_true (file_contains (path, "/AF [", 5));
        }
      else
        {
          g_assert_nonnull (strstr (list, "0 embedded files"));
        }
    }

  pe_test_rmdir (dir);
}

static void
test_text_layer (void)
{
  g_autofree char *dir = pe_test_mkdtemp ();
  g_autofree char *path = g_build_filename (dir, "text.pdf", NULL);
  g_autofree char *bw_path = g_build_filename (dir, "text-bw.pdf", NULL);
  g_autoptr(PIX) colour = pe_test_load_sample_page ("p0001.png");
  g_autoptr(PIX) grey = pe_test_load_sample_page ("p0003.png");
  g_autoptr(PIX) bw = binarize_300 (colour);
  g_autoptr(PeOcrResult) ocr1 = pe_test_load_ocr ("pdf/p0001.tsv");
  g_autoptr(PeOcrResult) ocr3 = pe_test_load_ocr ("pdf/p0003.tsv");
  PIX *pixes[] = { colour, grey };
  PeOcrResult *ocrs[] = { ocr1, ocr3 };
  PePdfMetadata md = sample_metadata ();
  const char *argv[] = { "pdftotext", path, "-", NULL };
  const char *bw_argv[] = { "pdftotext", bw_path, "-", NULL };
  static const char *const expected[] = {
    "Äußerung zum geplanten Vorhaben",
    "Gegen die geplante Maßnahme bestehen aus unserer Sicht erhebliche Bedenken.",
    "Wir regen an, die Auflagen zum Lärmschutz zu ergänzen.",
    "Bergstraße 105",
    "Sehr geehrter Herr Behrens,",
    "IBAN: DE24 2594 0033 8590 9864 11",
    "Rückfrage zu Ihrem Schreiben vom 07.10.2025",
    "Vielen Dank vorab für Ihre Mühe und eine baldige Antwort.",
    "Gibt es für das Verfahren ein Formular, das ich ausfüllen kann?",
    "Ich hoffe auf eine baldige Klärung der Angelegenheit.",
  };
  g_autofree char *text = NULL;
  g_autofree char *bw_text = NULL;
  double worst;

  if (pe_test_skip_unless_program ("pdftotext"))
    return;

  write_pdf (PE_PDFA_2B, path, pixes, ocrs, 2, PE_PDF_IMAGE_AUTO, &md);
  text = run_ok (argv);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    if (strstr (text, expected[i]) == NULL)
      g_error ("pdftotext lacks “%s”:\n%s", expected[i], text);

  /* the pages are 200 dpi */
  worst = assert_words_on_boxes (path, 1, ocr1, 72.0 / 200);
  worst = MAX (worst, assert_words_on_boxes (path, 2, ocr3, 72.0 / 200));
  g_test_message ("largest word box deviation (colour/grey, 200 dpi): %.3f pt", worst);

  /* 300 dpi black and white with the OCR of the 200 dpi page: the writer scales the boxes by
   * the recognition's own page size */
  {
    PIX *bw_pixes[] = { bw };
    PeOcrResult *bw_ocrs[] = { ocr1 };

    write_pdf (PE_PDFA_1B, bw_path, bw_pixes, bw_ocrs, 1, PE_PDF_IMAGE_AUTO, &md);
    bw_text = run_ok (bw_argv);
    g_assert_nonnull (strstr (bw_text, expected[1]));
    worst = assert_words_on_boxes (bw_path, 1, ocr1, 1.5 * 72.0 / 300);
    g_test_message ("largest word box deviation (bitonal, 300 dpi): %.3f pt", worst);
  }

  pe_test_rmdir (dir);
}

/* Characters the fixtures lack: €, typographic quotes, a dash and one beyond the BMP. */
static void
test_unicode (void)
{
  g_autofree char *dir = pe_test_mkdtemp ();
  g_autofree char *path = g_build_filename (dir, "unicode.pdf", NULL);
  g_autoptr(PIX) pix = pixCreate (1240, 1754, 1);
  g_autoptr(PeOcrResult) ocr = pe_ocr_result_new (1240, 1754);
  static const char *const words[] = {
    "Betrag:", "1.234,56", "€", "–", "„Größe“", "Straße", "\xF0\x9F\x93\xA7",
  };
  const char *argv[] = { "pdftotext", path, "-", NULL };
  g_autofree char *text = NULL;
  PIX *pixes[] = { pix };
  PeOcrResult *ocrs[] = { ocr };
  PePdfMetadata md = { .title = "Unicode" };
  int x = 100;

  if (pe_test_skip_unless_program ("pdftotext"))
    return;

  pixSetResolution (pix, 150, 150);
  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    {
      PeOcrWord w = { 1, 1, 1, i + 1, x, 200, 30 * g_utf8_strlen (words[i], -1), 40, 90,
                      (char *) words[i] };

      pe_ocr_result_add_word (ocr, &w);
      x += w.width + 20;
    }

  write_pdf (PE_PDFA_2U, path, pixes, ocrs, 1, PE_PDF_IMAGE_AUTO, &md);
  text = run_ok (argv);
  g_assert_nonnull (strstr (text, "Betrag: 1.234,56 € – „Größe“ Straße \xEF\xBF\xBD"));
  assert_qpdf_clean (path);

  pe_test_rmdir (dir);
}

static void
test_page_size (void)
{
  g_autofree char *dir = pe_test_mkdtemp ();
  g_autofree char *a4_path = g_build_filename (dir, "a4.pdf", NULL);
  g_autofree char *nores_path = g_build_filename (dir, "nores.pdf", NULL);
  g_autoptr(PIX) a4 = pixCreate (2480, 3508, 1);
  g_autoptr(PIX) nores = pixCreate (2480, 3508, 8);
  PIX *a4_pixes[] = { a4 };
  PIX *nores_pixes[] = { nores };
  const char *a4_argv[] = { "pdfinfo", a4_path, NULL };
  const char *nores_argv[] = { "pdfinfo", nores_path, NULL };
  g_autofree char *a4_info = NULL;
  g_autofree char *nores_info = NULL;

  if (pe_test_skip_unless_program ("pdfinfo"))
    return;

  pixSetResolution (a4, 300, 300);
  pixRasterop (a4, 300, 300, 1800, 40, PIX_SET, NULL, 0, 0);
  pixSetAllArbitrary (nores, 255);
  pixSetResolution (nores, 0, 0);

  write_pdf (PE_PDFA_2B, a4_path, a4_pixes, NULL, 1, PE_PDF_IMAGE_AUTO, NULL);
  write_pdf (PE_PDFA_2B, nores_path, nores_pixes, NULL, 1, PE_PDF_IMAGE_AUTO, NULL);

  /* 2480 × 72 / 300 = 595.2, 3508 × 72 / 300 = 841.92: exact, no rounding to whole points */
  g_assert_true (file_contains (a4_path, "/MediaBox [0 0 595.2 841.92]", 28));
  g_assert_true (file_contains (nores_path, "/MediaBox [0 0 595.2 841.92]", 28));
  a4_info = run_ok (a4_argv);
  nores_info = run_ok (nores_argv);
  g_assert_nonnull (strstr (a4_info, "Page size:       595.2 x 841.92 pts (A4)\n"));
  g_assert_nonnull (strstr (nores_info, "Page size:       595.2 x 841.92 pts (A4)\n"));
  g_assert_true (file_contains (a4_path, "/Width 2480 /Height 3508 /ColorSpace /DeviceGray "
                                         "/BitsPerComponent 1 /Filter /CCITTFaxDecode", 89));
  g_assert_true (file_contains (nores_path, "/ColorSpace /DeviceGray /BitsPerComponent 8 "
                                            "/Filter /DCTDecode", 62));
  assert_qpdf_clean (a4_path);

  pe_test_rmdir (dir);
}

/* The image of page 1 as stored, decoded by poppler, is @expected pixel for pixel. */
static void
assert_image_is (const char *pdf,
                 PIX        *expected,
                 const char *dir)
{
  g_autofree char *prefix = g_build_filename (dir, "image", NULL);
  g_autofree char *png = g_strconcat (prefix, "-000.png", NULL);
  const char *argv[] = { "pdfimages", "-png", "-f", "1", "-l", "1", pdf, prefix, NULL };
  g_autofree char *out = run_ok (argv);
  g_autoptr(PIX) pix = pixRead (png);
  l_int32 same = 0;

  g_assert_nonnull (pix);
  g_assert_cmpint (pixGetDepth (pix), ==, pixGetDepth (expected));
  pixEqual (pix, expected, &same);
  if (!same)
    g_error ("%s: the stored image differs from the page (%d bpp)", pdf, pixGetDepth (pix));
  g_unlink (png);
}

/* The rendered page looks like @expected (black is black: a polarity error differs in most
 * pixels). The rasteriser resamples, so a few edge pixels may differ. */
static void
assert_renders_like (const char *pdf,
                     PIX        *expected,
                     int         dpi,
                     const char *dir)
{
  g_autofree char *dpi_str = g_strdup_printf ("%d", dpi);
  g_autofree char *prefix = g_build_filename (dir, "render", NULL);
  g_autofree char *pgm = g_strconcat (prefix, ".pgm", NULL);
  const char *argv[] = { "pdftoppm", "-r", dpi_str, "-f", "1", "-l", "1", "-singlefile",
                         "-gray", pdf, prefix, NULL };
  g_autofree char *out = run_ok (argv);
  g_autoptr(PIX) pix = pixRead (pgm);
  g_autoptr(PIX) want = pixConvertTo8 (expected, FALSE);
  g_autoptr(PIX) diff = NULL;
  g_autoptr(PIX) bad = NULL;
  l_int32 n_bad = 0;

  g_assert_nonnull (pix);
  g_assert_cmpint (pixGetWidth (pix), ==, pixGetWidth (want));
  g_assert_cmpint (pixGetHeight (pix), ==, pixGetHeight (want));
  diff = pixAbsDifference (pix, want);
  bad = pixThresholdToBinary (diff, 64);
  pixInvert (bad, bad);
  pixCountPixels (bad, &n_bad, NULL);
  g_assert_cmpfloat ((double) n_bad / (pixGetWidth (pix) * pixGetHeight (pix)), <, 0.02);
  g_unlink (pgm);
}

/* Flate and G4 are lossless: the page renders back to the very pixels (and the right way
 * round: black is black). */
static void
test_lossless (void)
{
  g_autofree char *dir = pe_test_mkdtemp ();
  g_autofree char *flate_path = g_build_filename (dir, "flate.pdf", NULL);
  g_autofree char *flate_bw_path = g_build_filename (dir, "flate-bw.pdf", NULL);
  g_autofree char *g4_path = g_build_filename (dir, "g4.pdf", NULL);
  g_autofree char *cmap_path = g_build_filename (dir, "cmap.pdf", NULL);
  g_autoptr(PIX) grey = pe_test_load_sample_page ("p0003.png");
  g_autoptr(PIX) colour = pe_test_load_sample_page ("p0001.png");
  g_autoptr(PIX) bw = pixConvertTo1 (grey, 160);
  g_autoptr(PIX) cmapped = pixOctreeColorQuant (colour, 128, 0);
  g_autoptr(PIX) cmap_rgb = NULL;
  PIX *p[1];

  if (pe_test_skip_unless_program ("pdftoppm") || pe_test_skip_unless_program ("pdfimages"))
    return;

  pixCopyResolution (bw, grey);
  g_assert_nonnull (pixGetColormap (cmapped));
  cmap_rgb = pixRemoveColormap (cmapped, REMOVE_CMAP_TO_FULL_COLOR);

  p[0] = grey;
  write_pdf (PE_PDFA_2B, flate_path, p, NULL, 1, PE_PDF_IMAGE_FLATE, NULL);
  assert_image_is (flate_path, grey, dir);
  assert_renders_like (flate_path, grey, 200, dir);

  p[0] = bw;
  write_pdf (PE_PDFA_2B, flate_bw_path, p, NULL, 1, PE_PDF_IMAGE_FLATE, NULL);
  assert_image_is (flate_bw_path, bw, dir);
  assert_renders_like (flate_bw_path, bw, 200, dir);
  write_pdf (PE_PDFA_2B, g4_path, p, NULL, 1, PE_PDF_IMAGE_AUTO, NULL);
  assert_image_is (g4_path, bw, dir);
  assert_renders_like (g4_path, bw, 200, dir);
  g_assert_true (file_contains (g4_path, "/Filter /CCITTFaxDecode /DecodeParms << /K -1 "
                                         "/Columns 1654 /Rows 2339 >>", 70));

  /* a colormapped page goes in as lossless RGB */
  p[0] = cmapped;
  write_pdf (PE_PDFA_2B, cmap_path, p, NULL, 1, PE_PDF_IMAGE_FLATE, NULL);
  assert_image_is (cmap_path, cmap_rgb, dir);
  assert_renders_like (cmap_path, cmap_rgb, 200, dir);

  {
    const char *files[] = { flate_path, flate_bw_path, g4_path, cmap_path, NULL };
    g_autoptr(GHashTable) verdicts = NULL;

    if (pe_test_skip_unless_program ("java"))
      return;
    verdicts = pdfa_check (files);
    for (guint i = 0; files[i] != NULL; i++)
      g_assert_cmpstr (g_hash_table_lookup (verdicts, files[i]), ==, "PASS-2B-UNDER-1B-RULES");
  }

  pe_test_rmdir (dir);
}

static void
test_jpeg_passthrough (void)
{
  g_autofree char *dir = pe_test_mkdtemp ();
  g_autofree char *path = g_build_filename (dir, "jpeg.pdf", NULL);
  g_autofree char *other_path = g_build_filename (dir, "other.pdf", NULL);
  g_autoptr(PIX) colour = pe_test_load_sample_page ("p0001.png");
  g_autoptr(PIX) half = pixScale (colour, 0.5, 0.5);
  g_autoptr(GBytes) jpeg = NULL;
  g_autoptr(GBytes) half_jpeg = NULL;
  g_autoptr(GError) error = NULL;
  l_uint8 *data = NULL;
  size_t size = 0;
  guint w, h, n;

  pixWriteMemJpeg (&data, &size, colour, 90, 0);
  jpeg = g_bytes_new (data, size);
  lept_free (data);
  pixWriteMemJpeg (&data, &size, half, 90, 0);
  half_jpeg = g_bytes_new (data, size);
  lept_free (data);

  g_assert_true (_pe_pdf_jpeg_get_info (jpeg, &w, &h, &n));
  g_assert_cmpuint (w, ==, 1654);
  g_assert_cmpuint (h, ==, 2339);
  g_assert_cmpuint (n, ==, 3);

  {
    g_autoptr(PePdfaWriter) writer = pe_pdfa_writer_new (PE_PDFA_2B, path, &error);

    g_assert_no_error (error);
    pe_pdfa_writer_add_page (writer, colour, PE_PDF_IMAGE_AUTO, jpeg, NULL, NULL, &error);
    g_assert_no_error (error);
    pe_pdfa_writer_finish (writer, NULL, &error);
    g_assert_no_error (error);
  }
  /* the scanner's bytes, untouched */
  g_assert_true (file_contains (path, g_bytes_get_data (jpeg, NULL), g_bytes_get_size (jpeg)));
  g_assert_true (file_contains (path, "/ColorSpace /DeviceRGB /BitsPerComponent 8 "
                                      "/Filter /DCTDecode", 61));

  /* a JPEG that is not the same picture is not trusted: the page is encoded from the PIX */
  {
    g_autoptr(PePdfaWriter) writer = pe_pdfa_writer_new (PE_PDFA_2B, other_path, &error);

    g_assert_no_error (error);
    pe_pdfa_writer_add_page (writer, colour, PE_PDF_IMAGE_AUTO, half_jpeg, NULL, NULL, &error);
    g_assert_no_error (error);
    pe_pdfa_writer_finish (writer, NULL, &error);
    g_assert_no_error (error);
  }
  g_assert_false (file_contains (other_path, g_bytes_get_data (half_jpeg, NULL), 4096));
  g_assert_true (file_contains (other_path, "/Width 1654 /Height 2339", 24));
  assert_qpdf_clean (other_path);

  pe_test_rmdir (dir);
}

/* Sizes and speed of a black-and-white 300 dpi A4 page (issue: ≤ 40 KB, G4 ≤ 30 ms, writing
 * without encoding ≤ 20 ms). Timings are reported, sizes asserted. */
static void
test_bitonal_size (void)
{
  g_autofree char *dir = pe_test_mkdtemp ();
  static const char *const pages[] = { "p0001.png", "p0003.png" };
  static const char *const tsvs[] = { "pdf/p0001.tsv", "pdf/p0003.tsv" };
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) verdicts = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_autoptr(PIX) page = pe_test_load_sample_page (pages[i]);
      g_autoptr(PIX) bw = binarize_300 (page);
      g_autoptr(PeOcrResult) ocr = pe_test_load_ocr (tsvs[i]);
      g_autofree char *name = g_strdup_printf ("bw-%u.pdf", i + 1);
      char *path = g_build_filename (dir, name, NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(PePdfaWriter) writer = NULL;
      g_autoptr(GFile) file = g_file_new_for_path (path);
      g_autoptr(GFileInfo) info = NULL;
      gint64 g4_best = G_MAXINT64, add_best = G_MAXINT64, start;
      gsize g4_size = 0;
      PePdfMetadata md = sample_metadata ();

      for (int k = 0; k < 5; k++)
        {
          g_autoptr(GBytes) g4 = NULL;

          start = g_get_monotonic_time ();
          g4 = _pe_pdf_image_encode_g4 (bw, &error);
          g4_best = MIN (g4_best, g_get_monotonic_time () - start);
          g_assert_no_error (error);
          g4_size = g_bytes_get_size (g4);
        }

      writer = pe_pdfa_writer_new (PE_PDFA_2B, path, &error);
      g_assert_no_error (error);
      start = g_get_monotonic_time ();
      pe_pdfa_writer_add_page (writer, bw, PE_PDF_IMAGE_AUTO, NULL, ocr, NULL, &error);
      add_best = g_get_monotonic_time () - start;
      g_assert_no_error (error);
      start = g_get_monotonic_time ();
      pe_pdfa_writer_finish (writer, &md, &error);
      g_assert_no_error (error);

      info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, 0, NULL, &error);
      g_assert_no_error (error);
      g_test_message ("%s as 300 dpi bitonal %dx%d: file %" G_GOFFSET_FORMAT " bytes "
                      "(G4 data %" G_GSIZE_FORMAT "), G4 encode %.2f ms, add_page %.2f ms "
                      "(writing without encoding %.2f ms), finish incl. fsync %.2f ms",
                      pages[i], pixGetWidth (bw), pixGetHeight (bw),
                      g_file_info_get_size (info), g4_size, g4_best / 1000.0,
                      add_best / 1000.0, (add_best - g4_best) / 1000.0,
                      (g_get_monotonic_time () - start) / 1000.0);
      g_assert_cmpint (g_file_info_get_size (info), <=, 40 * 1024);
      g_ptr_array_add (files, path);
    }

  g_ptr_array_add (files, NULL);
  if (pe_test_skip_unless_program ("java"))
    return;
  verdicts = pdfa_check ((const char *const *) files->pdata);
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    g_assert_cmpstr (g_hash_table_lookup (verdicts, g_ptr_array_index (files, i)), ==,
                     "PASS-2B-UNDER-1B-RULES");

  pe_test_rmdir (dir);
}

static void
test_unfinished (void)
{
  g_autofree char *dir = pe_test_mkdtemp ();
  g_autofree char *path = g_build_filename (dir, "unfinished.pdf", NULL);
  g_autoptr(PIX) grey = pe_test_load_sample_page ("p0003.png");
  g_autoptr(GError) error = NULL;
  PePdfaWriter *writer;

  writer = pe_pdfa_writer_new (PE_PDFA_2B, path, &error);
  g_assert_no_error (error);
  pe_pdfa_writer_add_page (writer, grey, PE_PDF_IMAGE_AUTO, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  /* the pages stream into a hidden temporary file beside the target */
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_dir (dir), ==, 1);

  g_assert_finalize_object (writer);
  g_assert_cmpuint (count_dir (dir), ==, 0);

  /* finishing without pages fails and leaves nothing either */
  writer = pe_pdfa_writer_new (PE_PDFA_1B, path, &error);
  g_assert_no_error (error);
  g_assert_false (pe_pdfa_writer_finish (writer, NULL, &error));
  g_assert_error (error, PE_ERROR, PE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_finalize_object (writer);
  g_assert_cmpuint (count_dir (dir), ==, 0);

  /* a cancelled page is not written; the document can still be finished */
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    const char *argv[] = { "pdfinfo", path, NULL };
    g_autofree char *info = NULL;

    writer = pe_pdfa_writer_new (PE_PDFA_2B, path, &error);
    g_assert_no_error (error);
    pe_pdfa_writer_add_page (writer, grey, PE_PDF_IMAGE_AUTO, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    g_cancellable_cancel (cancellable);
    g_assert_false (pe_pdfa_writer_add_page (writer, grey, PE_PDF_IMAGE_AUTO, NULL, NULL,
                                             cancellable, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
    g_assert_true (pe_pdfa_writer_finish (writer, NULL, &error));
    g_assert_no_error (error);
    g_assert_finalize_object (writer);
    g_assert_cmpuint (count_dir (dir), ==, 1);
    info = run_ok (argv);
    g_assert_nonnull (strstr (info, "Pages:           1\n"));
  }

  /* a folder that does not exist */
  {
    g_autofree char *missing = g_build_filename (dir, "no-such-folder", "x.pdf", NULL);

    g_assert_null (pe_pdfa_writer_new (PE_PDFA_2B, missing, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  }

  pe_test_rmdir (dir);
}

/* Fills the file system with a filler file until it is full. */
static void
fill_up (const char *dir)
{
  g_autofree char *filler = g_build_filename (dir, "filler", NULL);
  FILE *f = fopen (filler, "w");
  char block[1024] = { 0 };

  g_assert_nonnull (f);
  while (fwrite (block, 1, sizeof block, f) == sizeof block && fflush (f) == 0)
    ;
  fclose (f);
}

/* Runs in a subprocess, so that a failed assertion cannot leave the tmpfs mounted. */
static void
test_disk_full_subprocess (void)
{
  const char *dir = g_getenv ("PE_TEST_FULL_DIR");
  g_autofree char *path = g_build_filename (dir, "full.pdf", NULL);
  g_autoptr(PIX) colour = pe_test_load_sample_page ("p0001.png");
  g_autoptr(PIX) grey = pe_test_load_sample_page ("p0003.png");
  g_autoptr(PIX) bw = pixConvertTo1 (grey, 160);
  g_autoptr(GError) error = NULL;
  PePdfMetadata md = sample_metadata ();
  PePdfaWriter *writer;
  gboolean ok = TRUE;

  /* full while adding pages: a colour page does not fit into 64 KiB */
  writer = pe_pdfa_writer_new (PE_PDFA_2B, path, &error);
  g_assert_no_error (error);
  for (int i = 0; i < 4 && ok; i++)
    ok = pe_pdfa_writer_add_page (writer, colour, PE_PDF_IMAGE_AUTO, NULL, NULL, NULL, &error);
  g_assert_false (ok);
  g_assert_error (error, PE_ERROR, PE_ERROR_NO_SPACE);
  g_test_message ("disk full while adding: %s", error->message);
  g_clear_error (&error);
  /* the partial file is gone at once, and the writer stays failed */
  g_assert_cmpuint (count_dir (dir), ==, 0);
  g_assert_false (pe_pdfa_writer_finish (writer, &md, &error));
  g_assert_error (error, PE_ERROR, PE_ERROR_NO_SPACE);
  g_clear_error (&error);
  g_assert_finalize_object (writer);
  g_assert_cmpuint (count_dir (dir), ==, 0);

  /* full at the end: the page fits, then the disk fills up before the trailer */
  writer = pe_pdfa_writer_new (PE_PDFA_2B, path, &error);
  g_assert_no_error (error);
  pe_pdfa_writer_add_page (writer, bw, PE_PDF_IMAGE_AUTO, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  fill_up (dir);
  g_assert_false (pe_pdfa_writer_finish (writer, &md, &error));
  g_assert_error (error, PE_ERROR, PE_ERROR_NO_SPACE);
  g_test_message ("disk full while finishing: %s", error->message);
  g_clear_error (&error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_dir (dir), ==, 1);   /* only the filler */
  g_assert_finalize_object (writer);
  g_assert_cmpuint (count_dir (dir), ==, 1);
}

static void
test_disk_full (void)
{
  g_autofree char *dir = pe_test_mkdtemp ();
  int rc;

  if (mount ("tmpfs", dir, "tmpfs", 0, "size=64k") != 0)
    {
      g_autofree char *msg = g_strdup_printf ("cannot mount a small tmpfs: %s",
                                              g_strerror (errno));
      g_test_skip (msg);
      pe_test_rmdir (dir);
      return;
    }

  g_setenv ("PE_TEST_FULL_DIR", dir, TRUE);
  g_test_trap_subprocess ("/pdf/pdfa-writer/disk-full/subprocess", 0,
                          G_TEST_SUBPROCESS_INHERIT_STDERR);
  rc = umount (dir);
  pe_test_rmdir (dir);
  g_test_trap_assert_passed ();
  g_assert_cmpint (rc, ==, 0);
}

static void
test_level_strings (void)
{
  static const PePdfaLevel levels[] = { PE_PDFA_1B, PE_PDFA_2B, PE_PDFA_2U, PE_PDFA_3B };
  PePdfaLevel level;

  for (guint i = 0; i < G_N_ELEMENTS (levels); i++)
    {
      g_autofree char *prefixed = g_strconcat ("PDF/A-", pe_pdfa_level_to_string (levels[i]),
                                               NULL);

      g_assert_true (pe_pdfa_level_from_string (pe_pdfa_level_to_string (levels[i]), &level));
      g_assert_cmpint (level, ==, levels[i]);
      g_assert_true (pe_pdfa_level_from_string (prefixed, &level));
      g_assert_cmpint (level, ==, levels[i]);
    }
  g_assert_cmpstr (pe_pdfa_level_to_string (PE_PDFA_2B), ==, "2b");
  g_assert_true (pe_pdfa_level_from_string ("2U", &level));
  g_assert_cmpint (level, ==, PE_PDFA_2U);
  g_assert_false (pe_pdfa_level_from_string ("2a", &level));
  g_assert_false (pe_pdfa_level_from_string ("", &level));
}

/* A fixed creation date goes into Info and XMP as the same instant. */
static void
test_dates (void)
{
  g_autofree char *dir = pe_test_mkdtemp ();
  g_autofree char *path = g_build_filename (dir, "dates.pdf", NULL);
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("+01:00");
  g_autoptr(GDateTime) date = g_date_time_new (tz, 2026, 2, 2, 9, 30, 0);
  g_autoptr(PIX) pix = pixCreate (850, 1100, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(PePdfaWriter) writer = NULL;
  g_autofree char *xmp = NULL;
  PePdfMetadata md = {
    .title = "Müller & Söhne <GmbH> \"Angebot\" (Kopie)",
    .sender = "A\001B",
    .letter_date = "not a date",
    .languages = "deu+eng+osd",
    .case_reference = "K&R <7>",
  };
  const char *files[] = { path, NULL };
  g_autoptr(GHashTable) verdicts = NULL;

  g_autoptr(PeOcrResult) ocr = pe_ocr_result_new (850, 1100);
  /* a rule read as a flat "word" and a gap across the page: scalings beyond PDF/A-1's limit
   * for reals unless clamped */
  PeOcrWord rule = { 1, 1, 1, 1, 10, 500, 800, 1, 50, (char *) "—" };
  PeOcrWord far = { 1, 1, 1, 2, 840, 500, 5, 1, 50, (char *) "x" };

  pe_ocr_result_add_word (ocr, &rule);
  pe_ocr_result_add_word (ocr, &far);
  pixSetResolution (pix, 100, 100);
  writer = pe_pdfa_writer_new (PE_PDFA_1B, path, &error);
  g_assert_no_error (error);
  pe_pdfa_writer_set_creation_date (writer, date);
  pe_pdfa_writer_add_page (writer, pix, PE_PDF_IMAGE_AUTO, NULL, ocr, NULL, &error);
  g_assert_no_error (error);
  pe_pdfa_writer_finish (writer, &md, &error);
  g_assert_no_error (error);

  g_assert_true (file_contains (path, "/CreationDate (D:20260202093000+01'00')", 39));
  g_assert_true (file_contains (path, "/ModDate (D:20260202093000+01'00')", 34));
  xmp = read_xmp (path);
  g_assert_nonnull (strstr (xmp, "<xmp:CreateDate>2026-02-02T09:30:00+01:00<"));
  g_assert_nonnull (strstr (xmp, "<xmp:ModifyDate>2026-02-02T09:30:00+01:00<"));
  /* a letter date that is no date is left out rather than making the XMP invalid */
  g_assert_null (strstr (xmp, "dc:date"));
  g_assert_nonnull (strstr (xmp, "<rdf:li>de</rdf:li><rdf:li>en</rdf:li>"));
  g_assert_true (file_contains (path, "/Lang (de)", 10));
  /* markup in the values is escaped, control characters (not allowed in XML) dropped */
  g_assert_nonnull (strstr (xmp, ">Müller &amp; Söhne &lt;GmbH&gt; &quot;Angebot&quot; "
                                 "(Kopie)</rdf:li>"));
  g_assert_nonnull (strstr (xmp, "<dc:creator><rdf:Seq><rdf:li>AB</rdf:li>"));
  g_assert_nonnull (strstr (xmp, "<pe:caseReference>K&amp;R &lt;7&gt;</pe:caseReference>"));

  /* Preflight does not look at numbers in content streams, so check the limit here */
  {
    g_autofree char *plain = g_build_filename (dir, "plain.pdf", NULL);
    const char *argv[] = { "qpdf", "--stream-data=uncompress", path, plain, NULL };
    g_autofree char *out = run_ok (argv);
    g_autofree char *data = NULL;
    gsize len;
    g_autoptr(GRegex) re = g_regex_new ("([0-9.]+) Tz", G_REGEX_RAW, 0, NULL);
    g_autoptr(GMatchInfo) match = NULL;
    guint n = 0;

    g_file_get_contents (plain, &data, &len, NULL);
    g_regex_match_full (re, data, len, 0, 0, &match, NULL);
    for (; g_match_info_matches (match); g_match_info_next (match, NULL), n++)
      {
        g_autofree char *num = g_match_info_fetch (match, 1);

        g_assert_cmpfloat (g_ascii_strtod (num, NULL), <=, 32767);
      }
    g_assert_cmpuint (n, ==, 3);
  }

  /* and the result is still valid: Preflight parses the XMP and compares it with Info */
  if (pe_test_skip_unless_program ("java"))
    return;
  verdicts = pdfa_check (files);
  g_assert_cmpstr (g_hash_table_lookup (verdicts, path), ==, "PASS");

  pe_test_rmdir (dir);
}

/* MRC ---------------------------------------------------------------------------------------- */

/* A 200 dpi sample page as a 300 dpi scan */
static PIX *
upscale_300 (PIX *pix)
{
  PIX *big = pixScale (pix, 1.5, 1.5);

  pixSetResolution (big, 300, 300);
  return big;
}

/* The stamp's box on sample page @index (1-based) from truth.json, in pixels at @dpi. */
static void
stamp_box (guint   index,
           double  dpi,
           int    *x,
           int    *y,
           int    *w,
           int    *h)
{
  g_autofree char *path = g_build_filename (g_getenv ("PE_SOURCE_ROOT"), "data", "sample",
                                            "truth.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *pages, *bbox;
  JsonObject *stamp;
  double mm[4];

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  pages = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                        "pages");
  stamp = json_object_get_object_member (json_array_get_object_element (pages, index - 1),
                                         "stamp");
  g_assert_nonnull (stamp);
  g_assert_cmpstr (json_object_get_string_member (stamp, "color"), ==, "blue");
  bbox = json_object_get_array_member (stamp, "bbox_mm");
  for (guint i = 0; i < 4; i++)
    mm[i] = json_array_get_double_element (bbox, i);
  *x = mm[0] / 25.4 * dpi;
  *y = mm[1] / 25.4 * dpi;
  *w = mm[2] / 25.4 * dpi;
  *h = mm[3] / 25.4 * dpi;
}

/* Mean colour of the ink (anything clearly darker than paper) inside the box. */
static guint
mean_ink (PIX    *pix,
          int     x0,
          int     y0,
          int     w,
          int     h,
          double  rgb[3])
{
  g_autoptr(PIX) p = pixConvertTo32 (pix);
  guint n = 0;

  rgb[0] = rgb[1] = rgb[2] = 0;
  for (int y = y0; y < y0 + h; y++)
    for (int x = x0; x < x0 + w; x++)
      {
        l_int32 r, g, b;

        pixGetRGBPixel (p, x, y, &r, &g, &b);
        if ((255 - r) + (255 - g) + (255 - b) < 150)
          continue;
        rgb[0] += r;
        rgb[1] += g;
        rgb[2] += b;
        n++;
      }
  for (guint c = 0; c < 3 && n > 0; c++)
    rgb[c] /= n;
  return n;
}

typedef struct
{
  char  type[16];
  guint width, height;
  char  color[8];
  guint bpc;
  char  enc[8];
  guint xppi, yppi;
} ImageInfo;

static GArray *
list_images (const char *pdf)
{
  const char *argv[] = { "pdfimages", "-list", pdf, NULL };
  g_autofree char *out = run_ok (argv);
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  GArray *images = g_array_new (FALSE, TRUE, sizeof (ImageInfo));

  for (guint i = 2; lines[i] != NULL; i++)
    {
      ImageInfo info = { 0 };
      guint page, num, comp;
      char interp[8];

      if (sscanf (lines[i], "%u %u %15s %u %u %7s %u %u %7s %7s %*u %*u %u %u", &page, &num,
                  info.type, &info.width, &info.height, info.color, &comp, &info.bpc, info.enc,
                  interp, &info.xppi, &info.yppi) == 12)
        g_array_append_val (images, info);
    }
  return images;
}

static goffset
file_size (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_size;
}

static void
write_mrc (PePdfaLevel  level,
           const char  *path,
           PIX         *pix,
           PIX         *mask,
           PeOcrResult *ocr)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PePdfaWriter) writer = pe_pdfa_writer_new (level, path, &error);
  PePdfMetadata md = sample_metadata ();

  g_assert_no_error (error);
  pe_pdfa_writer_add_page_mrc (writer, pix, mask, ocr, NULL, &error);
  g_assert_no_error (error);
  pe_pdfa_writer_finish (writer, &md, &error);
  g_assert_no_error (error);
}

/* Neither transparency nor soft masks: MRC must not need them (PDF/A-1). */
static void
assert_no_transparency (const char *path)
{
  g_assert_false (file_contains (path, "/SMask", 6));
  g_assert_false (file_contains (path, "/Group", 6));
  g_assert_false (file_contains (path, "/JBIG2Decode", 12));
  g_assert_false (file_contains (path, "/JPXDecode", 10));
}

/* A colour letter with a blue stamp as a 300 dpi MRC page, text found automatically. */
static void
test_mrc (void)
{
  g_autofree char *dir = pe_test_mkdtemp ();
  g_autofree char *path = g_build_filename (dir, "mrc-2b.pdf", NULL);
  g_autofree char *path_1b = g_build_filename (dir, "mrc-1b.pdf", NULL);
  g_autofree char *render = g_build_filename (dir, "render", NULL);
  g_autofree char *render_png = g_strconcat (render, ".png", NULL);
  g_autoptr(PIX) colour = pe_test_load_sample_page ("p0001.png");
  g_autoptr(PIX) page = upscale_300 (colour);
  g_autoptr(PIX) colour_100 = pixScale (colour, 0.5, 0.5);
  g_autoptr(PIX) rendered = NULL;
  g_autoptr(PeOcrResult) ocr = pe_test_load_ocr ("pdf/p0001.tsv");
  g_autoptr(GArray) images = NULL;
  g_autoptr(GHashTable) verdicts = NULL;
  const char *files[] = { path, path_1b, NULL };
  const char *text_argv[] = { "pdftotext", path, "-", NULL };
  const char *render_argv[] = { "pdftoppm", "-r", "100", "-png", "-singlefile", path, render,
                                NULL };
  g_autofree char *text = NULL;
  g_autofree char *out = NULL;
  static const char *const expected[] = {
    "Äußerung zum geplanten Vorhaben",
    "Gegen die geplante Maßnahme bestehen aus unserer Sicht erhebliche Bedenken.",
    "IBAN: DE24 2594 0033 8590 9864 11",
  };
  guint n_stencils = 0, n_orig, n_mrc;
  double orig[3], mrc[3], worst;
  int x, y, w, h;

  if (pe_test_skip_unless_program ("pdfimages") || pe_test_skip_unless_program ("pdftoppm") ||
      pe_test_skip_unless_program ("pdftotext") || pe_test_skip_unless_program ("qpdf"))
    return;

  write_mrc (PE_PDFA_2B, path, page, NULL, ocr);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(PePdfaWriter) writer = pe_pdfa_writer_new (PE_PDFA_1B, path_1b, &error);

    /* the same through pe_pdfa_writer_add_page() */
    g_assert_no_error (error);
    pe_pdfa_writer_add_page (writer, page, PE_PDF_IMAGE_MRC, NULL, ocr, NULL, &error);
    g_assert_no_error (error);
    pe_pdfa_writer_finish (writer, NULL, &error);
    g_assert_no_error (error);
  }

  /* small: the bound for a colour A4 page at 300 dpi */
  g_test_message ("MRC colour page, 300 dpi: %" G_GOFFSET_FORMAT " bytes", file_size (path));
  g_assert_cmpint (file_size (path), <=, 100 * 1024);
  g_assert_cmpint (file_size (path_1b), <=, 100 * 1024);

  /* a JPEG background at 100 dpi under full-resolution G4 stencils: black text and the blue
   * stamp (and the blue letterhead) */
  images = list_images (path);
  g_assert_cmpuint (images->len, >=, 3);
  {
    ImageInfo *bg = &g_array_index (images, ImageInfo, 0);

    g_assert_cmpstr (bg->type, ==, "image");
    g_assert_cmpstr (bg->enc, ==, "jpeg");
    g_assert_cmpuint (bg->xppi, >=, 100);
    g_assert_cmpuint (bg->xppi, <=, 150);
    g_assert_cmpuint (bg->yppi, >=, 100);
    g_assert_cmpuint (bg->yppi, <=, 150);
  }
  for (guint i = 1; i < images->len; i++)
    {
      ImageInfo *m = &g_array_index (images, ImageInfo, i);

      g_assert_cmpstr (m->type, ==, "stencil");
      g_assert_cmpstr (m->enc, ==, "ccitt");
      g_assert_cmpuint (m->width, ==, pixGetWidth (page));
      g_assert_cmpuint (m->height, ==, pixGetHeight (page));
      g_assert_cmpuint (m->xppi, ==, 300);
      n_stencils++;
    }
  g_assert_cmpuint (n_stencils, >=, 2);
  g_assert_cmpuint (n_stencils, <=, 4);
  assert_no_transparency (path);

  /* the text layer still lies on the words (OCR of the 200 dpi page, scaled by the writer) */
  text = run_ok (text_argv);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    if (strstr (text, expected[i]) == NULL)
      g_error ("pdftotext lacks “%s”:\n%s", expected[i], text);
  worst = assert_words_on_boxes (path, 1, ocr, 1.5 * 72.0 / 300);
  g_test_message ("largest word box deviation (MRC, 300 dpi): %.3f pt", worst);

  /* the stamp stays blue and as present as on the original, both seen at 100 dpi */
  out = run_ok (render_argv);
  rendered = pixRead (render_png);
  g_assert_nonnull (rendered);
  stamp_box (1, 100, &x, &y, &w, &h);
  n_orig = mean_ink (colour_100, x, y, w, h, orig);
  n_mrc = mean_ink (rendered, x, y, w, h, mrc);
  g_test_message ("stamp ink: original %u px (%.0f, %.0f, %.0f), MRC %u px (%.0f, %.0f, %.0f)",
                  n_orig, orig[0], orig[1], orig[2], n_mrc, mrc[0], mrc[1], mrc[2]);
  g_assert_cmpuint (n_orig, >, 500);
  g_assert_cmpfloat (mrc[2], >, mrc[0] + 60);
  g_assert_cmpfloat (mrc[2], >, mrc[1] + 50);
  for (guint c = 0; c < 3; c++)
    g_assert_cmpfloat (fabs (mrc[c] - orig[c]), <, 35);
  g_assert_cmpfloat (fabs ((double) n_mrc - n_orig), <, 0.3 * n_orig);

  if (pe_test_skip_unless_program ("java"))
    return;
  assert_qpdf_clean (path);
  assert_qpdf_clean (path_1b);
  verdicts = pdfa_check (files);
  g_assert_cmpstr (g_hash_table_lookup (verdicts, path), ==, "PASS-2B-UNDER-1B-RULES");
  g_assert_cmpstr (g_hash_table_lookup (verdicts, path_1b), ==, "PASS");

  pe_test_rmdir (dir);
}

/* A mask given by the caller is kept exactly: the stencils, extracted, are that mask, split by
 * colour into disjoint layers — specks the automatic finder would drop included. */
static void
test_mrc_mask (void)
{
  g_autofree char *dir = pe_test_mkdtemp ();
  g_autofree char *path = g_build_filename (dir, "mask.pdf", NULL);
  g_autofree char *prefix = g_build_filename (dir, "img", NULL);
  g_autoptr(PIX) colour = pe_test_load_sample_page ("p0001.png");
  g_autoptr(PIX) page = upscale_300 (colour);
  g_autoptr(PIX) grey = pixConvertRGBToLuminance (page);
  g_autoptr(PIX) mask = pixThresholdToBinary (grey, 140);
  g_autoptr(PIX) layers = pixCreateTemplate (mask);
  g_autoptr(PIX) bg = NULL;
  const char *argv[] = { "pdfimages", "-png", path, prefix, NULL };
  g_autofree char *out = NULL;
  g_autofree char *bg_path = g_strconcat (prefix, "-000.png", NULL);
  const char *files[] = { path, NULL };
  g_autoptr(GHashTable) verdicts = NULL;
  guint n_layers = 0;
  l_int32 same = 0;

  if (pe_test_skip_unless_program ("pdfimages"))
    return;

  for (int i = 0; i < 40; i++)
    pixSetPixel (mask, 60 + 7 * i, 50 + 3 * i, 1);
  write_mrc (PE_PDFA_2B, path, page, mask, NULL);
  g_assert_cmpint (file_size (path), <=, 100 * 1024);

  out = run_ok (argv);
  bg = pixRead (bg_path);
  g_assert_nonnull (bg);
  g_assert_cmpint (pixGetWidth (bg), ==, (pixGetWidth (page) + 2) / 3);
  g_assert_cmpint (pixGetHeight (bg), ==, (pixGetHeight (page) + 2) / 3);
  for (guint i = 1; ; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s-%03u.png", prefix, i);
      g_autoptr(PIX) layer = NULL;
      g_autoptr(PIX) overlap = NULL;
      l_int32 empty = 0;

      if (!g_file_test (name, G_FILE_TEST_EXISTS))
        break;
      layer = pixRead (name);
      g_assert_nonnull (layer);
      g_assert_cmpint (pixGetDepth (layer), ==, 1);
      /* poppler writes a stencil with its painted pixels white */
      pixInvert (layer, layer);
      overlap = pixAnd (NULL, layers, layer);
      pixZero (overlap, &empty);
      g_assert_true (empty);
      pixOr (layers, layers, layer);
      n_layers++;
    }
  g_assert_cmpuint (n_layers, >=, 2);
  pixEqual (layers, mask, &same);
  g_assert_true (same);

  if (pe_test_skip_unless_program ("java"))
    return;
  verdicts = pdfa_check (files);
  g_assert_cmpstr (g_hash_table_lookup (verdicts, path), ==, "PASS-2B-UNDER-1B-RULES");

  pe_test_rmdir (dir);
}

/* The other inputs: a grey page gets a grey background and one grey stencil, a
 * black-and-white page stays plain G4, and an empty noisy page has no "text". */
static void
test_mrc_inputs (void)
{
  g_autofree char *dir = pe_test_mkdtemp ();
  g_autofree char *grey_path = g_build_filename (dir, "grey.pdf", NULL);
  g_autofree char *bw_path = g_build_filename (dir, "bw.pdf", NULL);
  g_autofree char *blank_path = g_build_filename (dir, "blank.pdf", NULL);
  g_autoptr(PIX) grey_200 = pe_test_load_sample_page ("p0003.png");
  g_autoptr(PIX) grey = upscale_300 (grey_200);
  g_autoptr(PIX) bw = pixConvertTo1 (grey, 160);
  g_autoptr(PIX) white = pixCreate (2480, 3508, 32);
  g_autoptr(PIX) blank = NULL;
  g_autoptr(PIX) found = NULL;
  g_autoptr(GArray) grey_images = NULL;
  g_autoptr(GArray) bw_images = NULL;
  g_autoptr(GArray) blank_images = NULL;
  const char *files[] = { grey_path, bw_path, blank_path, NULL };
  g_autoptr(GHashTable) verdicts = NULL;
  PIX *p[1];
  l_int32 n_found = 0;

  if (pe_test_skip_unless_program ("pdfimages"))
    return;

  p[0] = grey;
  write_pdf (PE_PDFA_2B, grey_path, p, NULL, 1, PE_PDF_IMAGE_MRC, NULL);
  grey_images = list_images (grey_path);
  g_assert_cmpuint (grey_images->len, ==, 2);
  g_assert_cmpstr (g_array_index (grey_images, ImageInfo, 0).color, ==, "gray");
  g_assert_cmpstr (g_array_index (grey_images, ImageInfo, 1).type, ==, "stencil");
  g_assert_cmpint (file_size (grey_path), <=, 100 * 1024);

  pixCopyResolution (bw, grey);
  p[0] = bw;
  write_pdf (PE_PDFA_2B, bw_path, p, NULL, 1, PE_PDF_IMAGE_MRC, NULL);
  bw_images = list_images (bw_path);
  g_assert_cmpuint (bw_images->len, ==, 1);
  g_assert_cmpstr (g_array_index (bw_images, ImageInfo, 0).type, ==, "image");
  g_assert_cmpstr (g_array_index (bw_images, ImageInfo, 0).enc, ==, "ccitt");

  /* paper with scanner noise: not a letter of text in it */
  pixSetAllArbitrary (white, 0xf4f0e800);
  blank = pixAddGaussianNoise (white, 4.0);
  pixSetResolution (blank, 300, 300);
  found = _pe_pdf_mrc_find_text (blank);
  pixCountPixels (found, &n_found, NULL);
  g_test_message ("text found on a blank noisy page: %d pixels", n_found);
  g_assert_cmpint (n_found, <, 100);
  p[0] = blank;
  write_pdf (PE_PDFA_2B, blank_path, p, NULL, 1, PE_PDF_IMAGE_MRC, NULL);
  blank_images = list_images (blank_path);
  g_assert_cmpstr (g_array_index (blank_images, ImageInfo, 0).enc, ==, "jpeg");
  g_assert_cmpint (file_size (blank_path), <=, 40 * 1024);

  if (pe_test_skip_unless_program ("java"))
    return;
  verdicts = pdfa_check (files);
  for (guint i = 0; files[i] != NULL; i++)
    g_assert_cmpstr (g_hash_table_lookup (verdicts, files[i]), ==, "PASS-2B-UNDER-1B-RULES");

  pe_test_rmdir (dir);
}

/* Every colour sample page as a 300 dpi MRC page stays within 100 KB. */
static void
test_mrc_size (void)
{
  g_autofree char *dir = pe_test_mkdtemp ();
  static const char *const pages[] = { "p0001.png", "p0005.png", "p0007.png" };
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) verdicts = NULL;
  goffset total = 0;

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_autoptr(PIX) pix = pe_test_load_sample_page (pages[i]);
      g_autoptr(PIX) page = upscale_300 (pix);
      char *path = g_strdup_printf ("%s/mrc-%u.pdf", dir, i + 1);

      g_assert_cmpint (pixGetDepth (pix), ==, 32);
      write_mrc (PE_PDFA_2B, path, page, NULL, NULL);
      g_test_message ("%s as 300 dpi MRC: %" G_GOFFSET_FORMAT " bytes", pages[i],
                      file_size (path));
      g_assert_cmpint (file_size (path), <=, 100 * 1024);
      total += file_size (path);
      g_ptr_array_add (files, path);
    }
  g_test_message ("mean %.1f KB per MRC page", total / 1024.0 / G_N_ELEMENTS (pages));

  g_ptr_array_add (files, NULL);
  if (pe_test_skip_unless_program ("java"))
    return;
  verdicts = pdfa_check ((const char *const *) files->pdata);
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    g_assert_cmpstr (g_hash_table_lookup (verdicts, g_ptr_array_index (files, i)), ==,
                     "PASS-2B-UNDER-1B-RULES");

  pe_test_rmdir (dir);
}

static void
test_mrc_factor (void)
{
  g_assert_cmpuint (_pe_pdf_mrc_choose_factor (300, 100), ==, 3);
  g_assert_cmpuint (_pe_pdf_mrc_choose_factor (300, 150), ==, 2);
  g_assert_cmpuint (_pe_pdf_mrc_choose_factor (200, 100), ==, 2);
  g_assert_cmpuint (_pe_pdf_mrc_choose_factor (200, 150), ==, 1);
  g_assert_cmpuint (_pe_pdf_mrc_choose_factor (150, 100), ==, 1);
  g_assert_cmpuint (_pe_pdf_mrc_choose_factor (600, 100), ==, 6);
  g_assert_cmpuint (_pe_pdf_mrc_choose_factor (250, 100), ==, 2);
  g_assert_cmpuint (_pe_pdf_mrc_choose_factor (72, 100), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pdf/pdfa-writer/level-strings", test_level_strings);
  g_test_add_func ("/pdf/pdfa-writer/levels", test_levels);
  g_test_add_func ("/pdf/pdfa-writer/text-layer", test_text_layer);
  g_test_add_func ("/pdf/pdfa-writer/unicode", test_unicode);
  g_test_add_func ("/pdf/pdfa-writer/page-size", test_page_size);
  g_test_add_func ("/pdf/pdfa-writer/lossless", test_lossless);
  g_test_add_func ("/pdf/pdfa-writer/jpeg-passthrough", test_jpeg_passthrough);
  g_test_add_func ("/pdf/pdfa-writer/bitonal-size", test_bitonal_size);
  g_test_add_func ("/pdf/pdfa-writer/dates", test_dates);
  g_test_add_func ("/pdf/pdfa-writer/mrc", test_mrc);
  g_test_add_func ("/pdf/pdfa-writer/mrc-mask", test_mrc_mask);
  g_test_add_func ("/pdf/pdfa-writer/mrc-inputs", test_mrc_inputs);
  g_test_add_func ("/pdf/pdfa-writer/mrc-size", test_mrc_size);
  g_test_add_func ("/pdf/pdfa-writer/mrc-factor", test_mrc_factor);
  g_test_add_func ("/pdf/pdfa-writer/unfinished", test_unfinished);
  g_test_add_func ("/pdf/pdfa-writer/disk-full", test_disk_full);
  g_test_add_func ("/pdf/pdfa-writer/disk-full/subprocess", test_disk_full_subprocess);

  return g_test_run ();
}
