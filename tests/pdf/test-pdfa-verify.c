/* test-pdfa-verify.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The structural self-check must accept what the writer (and a faithful rewriter, qpdf) writes
 * and reject every kind of damage that can happen between the writer and the archive: a cut-off
 * file, a wrong xref offset, a stream whose length is off, a page tree that lies, metadata that
 * no longer declares PDF/A.
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "pe-error.h"
#include "pe-types.h"
#include "pe-pdfa-verify.h"
#include "pe-pdfa-writer.h"
#include "pe-test-common.h"

/* A two-page document: a colour page (MRC, text layer) and a grey page (JPEG). */
static char *
write_doc (const char  *dir,
           const char  *name,
           PePdfaLevel  level)
{
  char *path = g_build_filename (dir, name, NULL);
  g_autoptr(PIX) colour = pe_test_load_sample_page ("p0001.png");
  g_autoptr(PIX) grey = pe_test_load_sample_page ("p0003.png");
  g_autoptr(PeOcrResult) ocr = pe_test_load_ocr ("pdf/p0001.tsv");
  g_autoptr(GError) error = NULL;
  g_autoptr(PePdfaWriter) writer = pe_pdfa_writer_new (level, path, &error);
  g_autoptr(GBytes) xml = g_bytes_new_static ("<x/>", 4);
  PePdfMetadata md = { .title = "Prüfung", .attachment_xml = xml };

  g_assert_no_error (error);
  pe_pdfa_writer_add_page_mrc (writer, colour, NULL, ocr, NULL, &error);
  g_assert_no_error (error);
  pe_pdfa_writer_add_page (writer, grey, PE_PDF_IMAGE_AUTO, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  pe_pdfa_writer_finish (writer, &md, &error);
  g_assert_no_error (error);
  return path;
}

/* @path's bytes, damaged by @damage, as a new file */
static char *
damaged_copy (const char  *path,
              const char  *name,
              void       (*damage) (GByteArray *data, gpointer user_data),
              gpointer     user_data)
{
  g_autofree char *dir = g_path_get_dirname (path);
  char *out = g_build_filename (dir, name, NULL);
  g_autofree char *data = NULL;
  gsize len;
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &data, &len, &error);
  g_assert_no_error (error);
  g_byte_array_append (bytes, (const guint8 *) data, len);
  damage (bytes, user_data);
  g_file_set_contents (out, (const char *) bytes->data, bytes->len, &error);
  g_assert_no_error (error);
  return out;
}

static gssize
find (GByteArray *data,
      const char *needle,
      gboolean    last)
{
  gsize n = strlen (needle);
  gssize found = -1;

  for (gsize i = 0; i + n <= data->len; i++)
    if (memcmp (data->data + i, needle, n) == 0)
      {
        found = i;
        if (!last)
          break;
      }
  return found;
}

static void
assert_rejected (const char *path,
                 const char *why)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (pe_pdfa_verify_structure (path, NULL, NULL, &error));
  g_assert_error (error, PE_ERROR, PE_ERROR_CORRUPT);
  g_test_message ("%s: %s", why, error->message);
}

static void
test_good (void)
{
  g_autofree char *dir = pe_test_mkdtemp ();
  static const PePdfaLevel levels[] = { PE_PDFA_1B, PE_PDFA_2B, PE_PDFA_2U, PE_PDFA_3B };

  for (guint i = 0; i < G_N_ELEMENTS (levels); i++)
    {
      g_autofree char *name = g_strdup_printf ("doc-%s.pdf",
                                               pe_pdfa_level_to_string (levels[i]));
      g_autofree char *path = write_doc (dir, name, levels[i]);
      g_autoptr(GError) error = NULL;
      PePdfaLevel level = -1;
      guint n_pages = 0;
      gint64 start = g_get_monotonic_time ();

      g_assert_true (pe_pdfa_verify_structure (path, &level, &n_pages, &error));
      g_test_message ("%s verified in %.2f ms", name,
                      (g_get_monotonic_time () - start) / 1000.0);
      g_assert_no_error (error);
      g_assert_cmpint (level, ==, levels[i]);
      g_assert_cmpuint (n_pages, ==, 2);
    }

  pe_test_rmdir (dir);
}

/* qpdf rewrites the file in its own layout (other offsets, a different binary comment, its own
 * object order); as long as it keeps a classic xref table it must still pass. Turned into
 * object and xref streams it is reported as unsupported, not as damaged. */
static void
test_rewritten (void)
{
  g_autofree char *dir = pe_test_mkdtemp ();
  g_autofree char *path = write_doc (dir, "doc.pdf", PE_PDFA_2B);
  g_autofree char *plain = g_build_filename (dir, "plain.pdf", NULL);
  g_autofree char *streams = g_build_filename (dir, "streams.pdf", NULL);
  const char *plain_argv[] = { "qpdf", "--object-streams=disable", "--stream-data=uncompress",
                               path, plain, NULL };
  const char *streams_argv[] = { "qpdf", "--object-streams=generate", path, streams, NULL };
  g_autoptr(GError) error = NULL;
  guint n_pages = 0;

  if (pe_test_skip_unless_program ("qpdf"))
    return;

  g_assert_cmpint (pe_test_run (plain_argv, NULL, NULL), ==, 0);
  g_assert_true (pe_pdfa_verify_structure (plain, NULL, &n_pages, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_pages, ==, 2);

  g_assert_cmpint (pe_test_run (streams_argv, NULL, NULL), ==, 0);
  g_assert_false (pe_pdfa_verify_structure (streams, NULL, NULL, &error));
  g_assert_error (error, PE_ERROR, PE_ERROR_UNSUPPORTED);

  pe_test_rmdir (dir);
}

static void
truncate_at (GByteArray *data,
             gpointer    user_data)
{
  gsize *keep = user_data;

  g_byte_array_set_size (data, *keep);
}

static void
cut_out (GByteArray *data,
         gpointer    user_data)
{
  gsize *at = user_data;

  g_byte_array_remove_range (data, *at, 100);
}

static void
append_garbage (GByteArray *data,
                gpointer    user_data)
{
  g_byte_array_append (data, (const guint8 *) "\n% more\n", 9);
}

/* Cut off anywhere — in an image, in the xref table, just before %%EOF — it never passes. */
static void
test_truncated (void)
{
  g_autofree char *dir = pe_test_mkdtemp ();
  g_autofree char *path = write_doc (dir, "doc.pdf", PE_PDFA_2B);
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  for (guint i = 1; i <= 40; i++)
    {
      /* cuts spread over the whole file, more of them near its end */
      gsize keep = i <= 20 ? st.st_size * i / 21 : st.st_size - (41 - i) * 40 + 1;
      g_autofree char *name = g_strdup_printf ("cut-%u.pdf", i);
      g_autofree char *cut = damaged_copy (path, name, truncate_at, &keep);
      g_autoptr(GError) error = NULL;

      g_assert_false (pe_pdfa_verify_structure (cut, NULL, NULL, &error));
      g_assert_error (error, PE_ERROR, PE_ERROR_CORRUPT);
      if (i == 1 || i == 40)
        g_test_message ("cut at %" G_GSIZE_FORMAT ": %s", keep, error->message);
    }
  /* 100 bytes lost anywhere while the end survives (a bad block) */
  for (guint i = 1; i <= 20; i++)
    {
      gsize at = st.st_size * i / 22;
      g_autofree char *name = g_strdup_printf ("hole-%u.pdf", i);
      g_autofree char *bad = damaged_copy (path, name, cut_out, &at);

      assert_rejected (bad, "100 bytes missing");
    }
  {
    g_autofree char *bad = damaged_copy (path, "appended.pdf", append_garbage, NULL);

    assert_rejected (bad, "appended");
  }

  /* the whole file minus its final newline is still whole */
  {
    gsize keep = st.st_size - 1;
    g_autofree char *cut = damaged_copy (path, "no-eol.pdf", truncate_at, &keep);

    g_assert_true (pe_pdfa_verify_structure (cut, NULL, NULL, NULL));
  }

  pe_test_rmdir (dir);
}

typedef struct
{
  guint entry;   /* xref entry whose offset is changed */
  int   delta;
} XrefDamage;

static void
shift_xref_entry (GByteArray *data,
                  gpointer    user_data)
{
  XrefDamage *d = user_data;
  gssize xref = find (data, "\nxref\n", TRUE);
  guint8 *line;
  g_autofree char *old = NULL;
  g_autofree char *new = NULL;

  g_assert_cmpint (xref, >, 0);
  /* "xref\n0 N\n" then 20 bytes per entry */
  line = data->data + xref + 6;
  while (*line != '\n')
    line++;
  line += 1 + 20 * d->entry;
  old = g_strndup ((const char *) line, 10);
  new = g_strdup_printf ("%010" G_GINT64_FORMAT, g_ascii_strtoll (old, NULL, 10) + d->delta);
  memcpy (line, new, 10);
}

static void
test_xref_offset (void)
{
  g_autofree char *dir = pe_test_mkdtemp ();
  g_autofree char *path = write_doc (dir, "doc.pdf", PE_PDFA_2B);
  static const XrefDamage damages[] = {
    { 1, 1 }, { 3, -1 }, { 5, 7 }, { 8, 100000000 }, { 4, -20 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (damages); i++)
    {
      g_autofree char *name = g_strdup_printf ("xref-%u.pdf", i);
      g_autofree char *bad = damaged_copy (path, name, shift_xref_entry, (gpointer) &damages[i]);

      assert_rejected (bad, "xref offset off");
    }

  pe_test_rmdir (dir);
}

typedef struct
{
  const char *find;
  const char *replace;   /* same length */
  gboolean    last;
} Replace;

static void
replace_bytes (GByteArray *data,
               gpointer    user_data)
{
  const Replace *r = user_data;
  gssize at = find (data, r->find, r->last);

  g_assert_cmpint (at, >=, 0);
  g_assert_cmpuint (strlen (r->find), ==, strlen (r->replace));
  memcpy (data->data + at, r->replace, strlen (r->replace));
}

static void
test_damaged (void)
{
  g_autofree char *dir = pe_test_mkdtemp ();
  g_autofree char *path = write_doc (dir, "doc.pdf", PE_PDFA_2B);
  static const Replace damages[] = {
    { "/Count 2", "/Count 3", FALSE },                      /* page tree lies */
    { "<pdfaid:part>", "<pdfaid:pbrt>", FALSE },            /* no PDF/A level */
    { "/Length 1", "/Length 2", FALSE },                    /* a stream's length is off */
    { "endstream", "endstreax", FALSE },
    { "endobj", "endobx", TRUE },
    { "/Root", "/Roox", TRUE },
    { "startxref\n", "startxref ", TRUE },                  /* still parses: must pass */
    { "%PDF-1.7", "%PDF-X.7", FALSE },
    { "/ID [", "/IX [", TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (damages); i++)
    {
      g_autofree char *name = g_strdup_printf ("damaged-%u.pdf", i);
      g_autofree char *bad = damaged_copy (path, name, replace_bytes, (gpointer) &damages[i]);

      if (g_str_has_prefix (damages[i].find, "startxref"))
        g_assert_true (pe_pdfa_verify_structure (bad, NULL, NULL, NULL));
      else
        assert_rejected (bad, damages[i].find);
    }

  /* not a PDF, empty, missing */
  {
    g_autofree char *text = g_build_filename (dir, "text.pdf", NULL);
    g_autofree char *empty = g_build_filename (dir, "empty.pdf", NULL);
    g_autofree char *missing = g_build_filename (dir, "missing.pdf", NULL);
    g_autoptr(GError) error = NULL;

    g_file_set_contents (text, "Hallo\n", -1, NULL);
    g_file_set_contents (empty, "", 0, NULL);
    assert_rejected (text, "text");
    assert_rejected (empty, "empty");
    g_assert_false (pe_pdfa_verify_structure (missing, NULL, NULL, &error));
    g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  }

  pe_test_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pdf/pdfa-verify/good", test_good);
  g_test_add_func ("/pdf/pdfa-verify/rewritten", test_rewritten);
  g_test_add_func ("/pdf/pdfa-verify/truncated", test_truncated);
  g_test_add_func ("/pdf/pdfa-verify/xref-offset", test_xref_offset);
  g_test_add_func ("/pdf/pdfa-verify/damaged", test_damaged);

  return g_test_run ();
}
