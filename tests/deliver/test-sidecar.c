/* test-sidecar.c: the sidecar as XML, and embedded in PDF/A-3b
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "pe-error.h"
#include "pe-fs.h"
#include "pe-pdfa-writer.h"
#include "pe-sidecar.h"
#include "pe-sqlite-store.h"
#include "pe-test-common.h"

/* Metadata with what XML must escape, non-ASCII text, a control character XML cannot carry and
 * nested values of every JSON type. */
static const char metadata[] =
  "{\"title\":\"Äußerung <zum> & \\\"Vorhaben\\\"\\u0001\",\"pdfa\":\"3b\","
  "\"languages\":\"deu\",\"ocr_engine\":\"tesseract 5.3.0\","
  "\"tags\":[\"Bau\",7,true,null,[],{}],\"extra\":{\"ratio\":0.25,\"n\":-3}}";

static char *
schema_path (void)
{
  return g_build_filename (g_getenv ("PE_SOURCE_ROOT"), "data", "schema",
                           "posteingang-sidecar-1.xsd", NULL);
}

/* xmllint's verdict on @xml against the schema */
static int
validate (const char *dir,
          const char *xml)
{
  g_autofree char *schema = schema_path ();
  g_autofree char *path = g_build_filename (dir, "check.xml", NULL);
  g_autofree char *err = NULL;
  const char *argv[] = { "xmllint", "--noout", "--schema", schema, path, NULL };
  int status;

  g_assert_true (g_file_set_contents (path, xml, -1, NULL));
  status = pe_test_run (argv, NULL, &err);
  g_test_message ("xmllint: %s", err);
  return status;
}

/* The string value of @xpath (with local-name() steps: the sidecar has a default namespace) */
static char *
xpath (const char *dir,
       const char *xml,
       const char *expr)
{
  g_autofree char *path = g_build_filename (dir, "query.xml", NULL);
  const char *argv[] = { "xmllint", "--xpath", expr, path, NULL };
  char *out = NULL;

  g_assert_true (g_file_set_contents (path, xml, -1, NULL));
  g_assert_cmpint (pe_test_run (argv, &out, NULL), ==, 0);
  /* xmllint ends the value with a newline of its own */
  if (g_str_has_suffix (out, "\n"))
    out[strlen (out) - 1] = '\0';
  return out;
}

#define SC(step) "*[local-name()='" step "']"

static void
test_sidecar_xml (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = pe_test_mkdtemp ();
  g_autoptr(PeSqliteStore) store = pe_sqlite_store_new (dir, &error);
  g_autoptr(PIX) pix = pixCreate (620, 877, 1);
  g_autoptr(PePageRecord) p1 = NULL;
  g_autoptr(PePageRecord) p2 = NULL;
  g_autoptr(PeDocumentRecord) doc = NULL;
  g_autoptr(PePdfaWriter) writer = NULL;
  g_autoptr(GBytes) attachment = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *pdf = g_build_filename (dir, "documents", "doc.pdf", NULL);
  g_autofree char *detached = g_build_filename (dir, "detached", NULL);
  g_autofree char *extracted_path = g_build_filename (detached, "metadata.xml", NULL);
  g_autofree char *embedded = NULL;
  g_autofree char *full = NULL;
  g_autofree char *json = NULL;
  g_autofree char *sha = NULL;
  g_autofree char *extracted = NULL;
  g_autofree char *broken = NULL;
  g_autofree char *detach_out = NULL;
  PePdfMetadata md = { .title = "Äußerung", .languages = "deu" };
  JsonObject *root;
  JsonArray *pages;
  gint64 batch, ids[2];
  gsize extracted_len = 0;

  if (pe_test_skip_unless_program ("xmllint"))
    return;
  g_assert_no_error (error);

  pixRenderLine (pix, 40, 60, 580, 60, 6, L_SET_PIXELS);
  pixSetResolution (pix, 75, 75);
  batch = pe_store_create_batch (PE_STORE (store), "sidecar", &error);
  p1 = pe_store_add_page (PE_STORE (store), batch, pix, NULL, NULL, "test:adf:1", &error);
  p2 = pe_store_add_page (PE_STORE (store), batch, pix, NULL, NULL, "test:adf:2", &error);
  g_assert_no_error (error);
  g_assert_true (pe_store_set_page_clean (PE_STORE (store), p1->id, pix, NULL,
                                          "{\"skew_deg\":-0.5,\"rotation\":0,\"blank\":false,"
                                          "\"color\":\"bitonal\",\"steps\":[\"deskew -0.5°\"]}",
                                          FALSE, &error));
  g_assert_no_error (error);
  ids[0] = p2->id;
  ids[1] = p1->id;
  doc = pe_store_create_document (PE_STORE (store), batch, ids, 2, metadata, &error);
  g_assert_no_error (error);

  /* Before the PDF exists: the form it embeds. */
  embedded = pe_sidecar_build_xml (PE_STORE (store), doc, FALSE, &error);
  g_assert_no_error (error);
  g_test_message ("%s", embedded);
  g_assert_null (strstr (embedded, "<pdf>"));
  g_assert_null (strstr (embedded, "\x01"));
  g_assert_nonnull (strstr (embedded, "Äußerung &lt;zum&gt; &amp; &quot;Vorhaben&quot;"));
  g_assert_cmpint (validate (dir, embedded), ==, 0);

  attachment = g_bytes_new (embedded, strlen (embedded));
  md.document_id = doc->uuid;
  md.attachment_xml = attachment;
  writer = pe_pdfa_writer_new (PE_PDFA_3B, pdf, &error);
  g_assert_no_error (error);
  pe_pdfa_writer_add_page (writer, pix, PE_PDF_IMAGE_AUTO, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  pe_pdfa_writer_finish (writer, &md, &error);
  g_assert_no_error (error);
  sha = pe_fs_sha256_file (pdf, &error);
  g_assert_no_error (error);
  g_assert_true (pe_store_set_document_pdf (PE_STORE (store), doc->id, pdf, sha, NULL, &error));
  g_free (doc->pdf_path);
  doc->pdf_path = g_strdup (pdf);
  g_free (doc->pdf_sha256);
  doc->pdf_sha256 = g_strdup (sha);

  /* After: the form delivered, which names the file, and the JSON from the same walk */
  full = pe_sidecar_build_xml (PE_STORE (store), doc, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (validate (dir, full), ==, 0);
  json = pe_sidecar_build (PE_STORE (store), doc, &error);
  g_assert_no_error (error);
  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  pages = json_object_get_array_member (root, "pages");

  {
    g_autofree char *id = xpath (dir, full, "string(/" SC ("sidecar") "/" SC ("id") ")");
    g_autofree char *pdf_sha = xpath (dir, full, "string(//" SC ("pdf") "/" SC ("sha256") ")");
    g_autofree char *bytes = xpath (dir, full, "string(//" SC ("pdf") "/" SC ("bytes") ")");
    g_autofree char *title = xpath (dir, full, "string(//" SC ("metadata") "/"
                                    SC ("field") "[@name='title'])");
    g_autofree char *ratio = xpath (dir, full, "string(//" SC ("field") "[@name='extra']/"
                                    SC ("field") "[@name='ratio'])");
    g_autofree char *tags = xpath (dir, full, "count(//" SC ("field") "[@name='tags']/"
                                   SC ("item") ")");
    g_autofree char *step = xpath (dir, full, "string(//" SC ("page") "[2]/" SC ("cleanup")
                                   "/" SC ("field") "[@name='steps']/" SC ("item") ")");
    g_autofree char *n_cleanup = xpath (dir, full, "count(//" SC ("cleanup") ")");
    g_autofree char *expected_bytes = g_strdup_printf (
      "%" G_GINT64_FORMAT, json_object_get_int_member (
        json_object_get_object_member (root, "pdf"), "bytes"));

    g_assert_cmpstr (id, ==, json_object_get_string_member (root, "id"));
    g_assert_cmpstr (pdf_sha, ==, sha);
    g_assert_cmpstr (bytes, ==, expected_bytes);
    g_assert_cmpstr (title, ==, "Äußerung <zum> & \"Vorhaben\"");
    g_assert_cmpstr (ratio, ==, "0.25");
    g_assert_cmpstr (tags, ==, "6");
    g_assert_cmpstr (step, ==, "deskew -0.5°");
    g_assert_cmpstr (n_cleanup, ==, "1");
    for (guint i = 0; i < json_array_get_length (pages); i++)
      {
        JsonObject *page = json_array_get_object_element (pages, i);
        g_autofree char *expr = g_strdup_printf ("string(//" SC ("page") "[%u]/"
                                                 SC ("image_sha256") ")", i + 1);
        g_autofree char *source_expr = g_strdup_printf ("string(//" SC ("page") "[%u]/"
                                                        SC ("source") ")", i + 1);
        g_autofree char *page_sha = xpath (dir, full, expr);
        g_autofree char *source = xpath (dir, full, source_expr);

        g_assert_cmpstr (page_sha, ==, json_object_get_string_member (page, "image_sha256"));
        g_assert_cmpstr (source, ==, json_object_get_string_member (page, "source"));
      }
    g_assert_cmpstr (json_object_get_string_member (
                       json_object_get_object_member (root, "metadata"), "title"), ==,
                     "Äußerung <zum> & \"Vorhaben\"\x01");
  }

  /* The schema has teeth: a <pdf> without its hash is refused. */
  {
    const char *start = strstr (full, "<sha256>");
    const char *end = start != NULL ? strstr (start, "</sha256>") : NULL;

    g_assert_nonnull (end);
    broken = g_strdup_printf ("%.*s%s", (int) (start - full), full, end + strlen ("</sha256>"));
    g_assert_cmpint (validate (dir, broken), !=, 0);
  }

  /* Embedded as the PDF/A-3 associated file, byte for byte. */
  if (!pe_test_skip_unless_program ("pdfdetach"))
    {
      const char *argv[] = { "pdfdetach", "-saveall", "-o", detached, pdf, NULL };

      g_assert_cmpint (g_mkdir (detached, 0755), ==, 0);
      g_assert_cmpint (pe_test_run (argv, &detach_out, NULL), ==, 0);
      g_assert_true (g_file_get_contents (extracted_path, &extracted, &extracted_len, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (extracted_len, ==, strlen (embedded));
      g_assert_cmpint (memcmp (extracted, embedded, extracted_len), ==, 0);
    }
  if (!pe_test_skip_unless_program ("java"))
    {
      g_autofree char *tool = pe_test_tool_path ("pdfa-check");
      g_autofree char *out = NULL;
      g_autofree char *expected = g_strdup_printf ("PASS-3B-UNDER-1B-RULES %s\n", pdf);
      const char *argv[] = { tool, pdf, NULL };

      pe_test_run (argv, &out, NULL);
      g_test_message ("pdfa-check: %s", out);
      g_assert_true (g_str_has_prefix (out, expected) || strstr (out, expected) != NULL);
    }

  g_clear_object (&writer);
  pe_document_record_free (g_steal_pointer (&doc));
  g_assert_finalize_object (g_steal_pointer (&store));
  pe_test_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/deliver/sidecar/xml", test_sidecar_xml);

  return g_test_run ();
}
