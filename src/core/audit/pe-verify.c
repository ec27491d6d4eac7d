/* pe-verify.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <poppler.h>

#include "pe-error.h"
#include "pe-fs.h"
#include "pe-verify.h"

void
pe_verify_report_free (PeVerifyReport *report)
{
  if (report == NULL)
    return;
  g_free (report->path);
  g_free (report->sha256);
  g_free (report->pdfa_part);
  g_free (report->pdfa_conformance);
  g_free (report->title);
  g_free (report->author);
  g_free (report->producer);
  g_free (report->document_id);
  g_free (report->recorded_sha256);
  g_free (report);
}

char *
pe_verify_report_dup_level (const PeVerifyReport *report)
{
  g_autofree char *level = NULL;

  if (report->pdfa_part == NULL)
    return NULL;
  level = g_strconcat (report->pdfa_part, report->pdfa_conformance, NULL);
  return g_ascii_strdown (level, -1);
}

/* An XMP property written either as an element or as an attribute. */
static char *
xmp_property (const char *xmp,
              const char *name)
{
  g_autofree char *pattern = g_strdup_printf ("<%s>\\s*([^<]*?)\\s*</%s>|%s=\"([^\"]*)\"",
                                              name, name, name);
  g_autoptr(GRegex) regex = g_regex_new (pattern, 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  char *value;

  if (xmp == NULL || !g_regex_match (regex, xmp, 0, &match))
    return NULL;
  value = g_match_info_fetch (match, 1);
  if (value == NULL || *value == '\0')
    {
      g_free (value);
      value = g_match_info_fetch (match, 2);
    }
  return value;
}

PeVerifyReport *
pe_verify_pdf (PeStore     *store,
               const char  *path,
               GError     **error)
{
  g_autoptr(PeVerifyReport) report = g_new0 (PeVerifyReport, 1);
  g_autoptr(GObject) pdf_ref = NULL;   /* poppler-glib 22 has no autoptr for its types */
  PopplerDocument *pdf;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(PeDocumentRecord) doc = NULL;
  g_autoptr(GMappedFile) map = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *xmp = NULL;

  g_return_val_if_fail (PE_IS_STORE (store), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  map = g_mapped_file_new (path, FALSE, &local_error);
  if (map == NULL)
    {
      g_set_error (error, PE_ERROR, PE_ERROR_NOT_FOUND, _("“%s” cannot be read: %s"), path,
                   local_error->message);
      return NULL;
    }
  bytes = g_mapped_file_get_bytes (map);
  pdf = poppler_document_new_from_bytes (bytes, NULL, &local_error);
  pdf_ref = (GObject *) pdf;
  if (pdf == NULL)
    {
      if (g_error_matches (local_error, POPPLER_ERROR, POPPLER_ERROR_ENCRYPTED))
        g_set_error (error, PE_ERROR, PE_ERROR_ENCRYPTED,
                     _("“%s” is encrypted. An archival PDF/A file never is."), path);
      else
        g_set_error (error, PE_ERROR, PE_ERROR_CORRUPT, _("“%s” is not a readable PDF: %s"),
                     path, local_error->message);
      return NULL;
    }

  report->path = g_strdup (path);
  report->bytes = g_bytes_get_size (bytes);
  report->sha256 = pe_fs_sha256_data (g_bytes_get_data (bytes, NULL), report->bytes);
  report->n_pages = poppler_document_get_n_pages (pdf);
  report->title = poppler_document_get_title (pdf);
  report->author = poppler_document_get_author (pdf);
  report->producer = poppler_document_get_producer (pdf);

  xmp = poppler_document_get_metadata (pdf);
  report->pdfa_part = xmp_property (xmp, "pdfaid:part");
  report->pdfa_conformance = xmp_property (xmp, "pdfaid:conformance");
  report->document_id = xmp_property (xmp, "pe:documentId");
  if (report->document_id == NULL)
    {
      g_autofree char *uri = xmp_property (xmp, "xmpMM:DocumentID");

      if (uri != NULL && g_str_has_prefix (uri, "uuid:"))
        report->document_id = g_strdup (uri + strlen ("uuid:"));
    }

  /* The hash decides; the id inside the file only tells which record a changed file
   * claims to be. */
  doc = pe_store_find_document_by_pdf (store, report->sha256, &local_error);
  if (doc != NULL)
    {
      report->verdict = PE_VERIFY_MATCH;
      g_free (report->document_id);
      report->document_id = g_strdup (doc->uuid);
      return g_steal_pointer (&report);
    }
  if (!g_error_matches (local_error, PE_ERROR, PE_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  g_clear_error (&local_error);

  report->verdict = PE_VERIFY_UNKNOWN;
  if (report->document_id != NULL)
    {
      doc = pe_store_get_document (store, report->document_id, NULL);
      if (doc != NULL && doc->pdf_sha256 != NULL)
        {
          report->verdict = PE_VERIFY_MODIFIED;
          report->recorded_sha256 = g_strdup (doc->pdf_sha256);
        }
    }

  return g_steal_pointer (&report);
}
