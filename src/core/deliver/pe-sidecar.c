/* pe-sidecar.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "pe-error.h"
#include "pe-sidecar.h"

/* A stored JSON object (metadata, cleanup report). */
static JsonNode *
parse_metadata (const char  *json,
                GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (!json_parser_load_from_data (parser, json ? json : "{}", -1, error))
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, PE_ERROR, PE_ERROR_CORRUPT,
                   _("The stored metadata of a document is damaged."));
      return NULL;
    }
  return json_node_copy (json_parser_get_root (parser));
}

char *
pe_sidecar_build (PeStore           *store,
                  PeDocumentRecord  *doc,
                  GError           **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) meta = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) pages = NULL;
  g_autofree char *pdf_name = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *now_str = g_date_time_format_iso8601 (now);
  GStatBuf st = { 0 };
  JsonObject *mo;

  g_return_val_if_fail (PE_IS_STORE (store), NULL);
  g_return_val_if_fail (doc != NULL && doc->pdf_path != NULL, NULL);

  meta = parse_metadata (doc->metadata_json, error);
  if (meta == NULL)
    return NULL;
  mo = json_node_get_object (meta);
  pages = pe_store_list_pages (store, doc->batch_id, error);
  if (pages == NULL)
    return NULL;
  if (g_stat (doc->pdf_path, &st) != 0)
    {
      g_set_error (error, PE_ERROR, PE_ERROR_NOT_FOUND,
                   _("The PDF of document %s is missing from the batch store. Process the batch "
                     "again to rebuild it."), doc->uuid);
      return NULL;
    }
  pdf_name = g_strdup_printf ("%s.pdf", doc->uuid);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, PE_SIDECAR_FORMAT);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, doc->uuid);
  json_builder_set_member_name (b, "batch");
  json_builder_add_int_value (b, doc->batch_id);
  json_builder_set_member_name (b, "created");
  json_builder_add_string_value (b, doc->created);
  json_builder_set_member_name (b, "delivered");
  json_builder_add_string_value (b, now_str);

  json_builder_set_member_name (b, "software");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, "Posteingang");
  json_builder_set_member_name (b, "version");
  json_builder_add_string_value (b, PACKAGE_VERSION);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "pdf");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "file");
  json_builder_add_string_value (b, pdf_name);
  json_builder_set_member_name (b, "sha256");
  json_builder_add_string_value (b, doc->pdf_sha256);
  json_builder_set_member_name (b, "bytes");
  json_builder_add_int_value (b, st.st_size);
  json_builder_set_member_name (b, "pdfa");
  json_builder_add_string_value (b, json_object_get_string_member_with_default (mo, "pdfa", "2b"));
  json_builder_end_object (b);

  json_builder_set_member_name (b, "ocr");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "engine");
  json_builder_add_string_value (b, json_object_get_string_member_with_default (mo, "ocr_engine",
                                                                                "tesseract"));
  json_builder_set_member_name (b, "languages");
  json_builder_add_string_value (b, json_object_get_string_member_with_default (mo, "languages",
                                                                                "deu"));
  json_builder_end_object (b);

  json_builder_set_member_name (b, "metadata");
  json_builder_add_value (b, json_node_copy (meta));

  json_builder_set_member_name (b, "pages");
  json_builder_begin_array (b);
  for (guint i = 0; i < doc->page_ids->len; i++)
    {
      gint64 id = g_array_index (doc->page_ids, gint64, i);
      PePageRecord *p = NULL;

      for (guint j = 0; j < pages->len && p == NULL; j++)
        if (((PePageRecord *) g_ptr_array_index (pages, j))->id == id)
          p = g_ptr_array_index (pages, j);
      g_assert (p != NULL);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "number");
      json_builder_add_int_value (b, i + 1);
      json_builder_set_member_name (b, "batch_seq");
      json_builder_add_int_value (b, p->seq);
      json_builder_set_member_name (b, "source");
      json_builder_add_string_value (b, p->source);
      json_builder_set_member_name (b, "scanned");
      json_builder_add_string_value (b, p->created);
      json_builder_set_member_name (b, "image_sha256");
      json_builder_add_string_value (b, p->sha256);
      json_builder_set_member_name (b, "dpi");
      json_builder_add_int_value (b, p->dpi);
      json_builder_set_member_name (b, "width");
      json_builder_add_int_value (b, p->width);
      json_builder_set_member_name (b, "height");
      json_builder_add_int_value (b, p->height);
      json_builder_set_member_name (b, "depth");
      json_builder_add_int_value (b, p->depth);
      json_builder_set_member_name (b, "ocr_confidence");
      json_builder_add_double_value (b, p->ocr_confidence);
      if (p->clean_report_json != NULL)
        {
          g_autoptr(JsonNode) clean = parse_metadata (p->clean_report_json, error);

          if (clean == NULL)
            return NULL;
          /* What cleanup did to the page: part of the scan protocol. */
          json_builder_set_member_name (b, "cleanup");
          json_builder_add_value (b, g_steal_pointer (&clean));
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  return json_to_string (root, TRUE);
}
