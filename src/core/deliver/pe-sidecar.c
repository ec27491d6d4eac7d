/* pe-sidecar.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The sidecar exists in two forms with one content: JSON beside the delivered PDF, and XML
 * (namespace PE_SIDECAR_XML_NAMESPACE, schema data/schema/posteingang-sidecar-1.xsd) embedded
 * in PDF/A-3b files. Both come from the same walk over the store's records, which hands each
 * value to an emitter; only the emitters differ.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>

#include "pe-error.h"
#include "pe-sidecar.h"

/* Emitters ----------------------------------------------------------------------------------- */

/* @name is the member's name, NULL inside an array. begin() opens an object, or with @item an
 * array whose elements XML names @item (JSON needs no such name); end() closes it. */
typedef struct
{
  void (*begin) (gpointer sink, const char *name, const char *item);
  void (*end)   (gpointer sink, gboolean array);
  /* a string or number (what the walk read from the store) */
  void (*value) (gpointer sink, const char *name, JsonNode *node);
  /* a stored free-form JSON object (metadata, cleanup report) */
  void (*json)  (gpointer sink, const char *name, JsonNode *node);
} Emitter;

static void
json_begin (gpointer    sink,
            const char *name,
            const char *item)
{
  if (name != NULL)
    json_builder_set_member_name (sink, name);
  if (item != NULL)
    json_builder_begin_array (sink);
  else
    json_builder_begin_object (sink);
}

static void
json_end (gpointer sink,
          gboolean array)
{
  if (array)
    json_builder_end_array (sink);
  else
    json_builder_end_object (sink);
}

static void
json_value (gpointer    sink,
            const char *name,
            JsonNode   *node)
{
  json_builder_set_member_name (sink, name);
  json_builder_add_value (sink, json_node_copy (node));
}

static const Emitter json_emitter = { json_begin, json_end, json_value, json_value };

typedef struct
{
  GString   *out;
  GPtrArray *open;    /* element names still open, innermost last */
  GPtrArray *items;   /* per open element: its items' name (NULL unless an array) */
} XmlSink;

static void
xml_indent (XmlSink *x)
{
  for (guint i = 0; i < x->open->len; i++)
    g_string_append (x->out, "  ");
}

/* Only what XML 1.0 can carry: GMarkup would turn a stray control character into a character
 * reference that no parser accepts. */
static void
xml_append_text (GString    *out,
                 const char *text)
{
  g_autoptr(GString) clean = g_string_new (NULL);
  g_autofree char *escaped = NULL;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char_validated (p, -1);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        break;
      if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0xfffe || c == 0xffff)
        continue;
      g_string_append_unichar (clean, c);
    }
  escaped = g_markup_escape_text (clean->str, clean->len);
  g_string_append (out, escaped);
}

/* the element of a member, or of an item of the innermost array */
static const char *
xml_element (XmlSink    *x,
             const char *name)
{
  if (name != NULL)
    return name;
  g_assert (x->items->len > 0 && g_ptr_array_index (x->items, x->items->len - 1) != NULL);
  return g_ptr_array_index (x->items, x->items->len - 1);
}

static void
xml_open (XmlSink    *x,
          const char *element,
          const char *item)
{
  xml_indent (x);
  g_string_append_printf (x->out, "<%s>\n", element);
  g_ptr_array_add (x->open, (gpointer) element);
  g_ptr_array_add (x->items, (gpointer) item);
}

static void
xml_close (gpointer sink)
{
  XmlSink *x = sink;
  const char *element = g_ptr_array_steal_index (x->open, x->open->len - 1);

  g_ptr_array_remove_index (x->items, x->items->len - 1);
  xml_indent (x);
  g_string_append_printf (x->out, "</%s>\n", element);
}

static void
xml_begin (gpointer    sink,
           const char *name,
           const char *item)
{
  xml_open (sink, xml_element (sink, name), item);
}

static void
xml_end (gpointer sink,
         gboolean array)
{
  xml_close (sink);
}

/* A JSON scalar as text: numbers as xs:double reads them (no C "nan" or "inf"). */
static char *
scalar_text (JsonNode *node)
{
  GType vt = json_node_get_value_type (node);
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  double d;

  if (vt == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node) != NULL ? json_node_get_string (node) : "");
  if (vt == G_TYPE_BOOLEAN)
    return g_strdup (json_node_get_boolean (node) ? "true" : "false");
  if (vt == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
  d = json_node_get_double (node);
  if (isnan (d))
    return g_strdup ("NaN");
  if (isinf (d))
    return g_strdup (d > 0 ? "INF" : "-INF");
  return g_strdup (g_ascii_dtostr (buf, sizeof buf, d));
}

static void
xml_scalar (gpointer    sink,
            const char *name,
            JsonNode   *node)
{
  XmlSink *x = sink;
  const char *element = xml_element (x, name);
  g_autofree char *text = scalar_text (node);

  xml_indent (x);
  g_string_append_printf (x->out, "<%s>", element);
  xml_append_text (x->out, text);
  g_string_append_printf (x->out, "</%s>\n", element);
}

static void xml_value (XmlSink    *x,
                       const char *element,
                       const char *name,
                       JsonNode   *node);

/* in the stored order, as the JSON sidecar lists them */
static void
xml_members (XmlSink    *x,
             JsonObject *object)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (GList *l = members; l != NULL; l = l->next)
    xml_value (x, "field", l->data, json_object_get_member (object, l->data));
}

/* Free-form JSON in a fixed vocabulary, so that the schema can check it: a <field name="…"
 * type="…"> per member, an <item type="…"> per array element, nested as in the JSON. */
static void
xml_value (XmlSink    *x,
           const char *element,
           const char *name,
           JsonNode   *node)
{
  const char *type;
  g_autofree char *text = NULL;

  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      type = "object";
      break;
    case JSON_NODE_ARRAY:
      type = "array";
      break;
    case JSON_NODE_NULL:
      type = "null";
      break;
    default:
      {
        GType vt = json_node_get_value_type (node);

        type = vt == G_TYPE_STRING ? "string" : vt == G_TYPE_BOOLEAN ? "boolean" : "number";
        text = scalar_text (node);
      }
      break;
    }

  xml_indent (x);
  g_string_append_printf (x->out, "<%s", element);
  if (name != NULL)
    {
      g_string_append (x->out, " name=\"");
      xml_append_text (x->out, name);
      g_string_append_c (x->out, '"');
    }
  g_string_append_printf (x->out, " type=\"%s\"", type);

  if (text != NULL)
    {
      g_string_append_c (x->out, '>');
      xml_append_text (x->out, text);
      g_string_append_printf (x->out, "</%s>\n", element);
    }
  else if (JSON_NODE_HOLDS_OBJECT (node) && json_object_get_size (json_node_get_object (node)))
    {
      g_string_append (x->out, ">\n");
      g_ptr_array_add (x->open, (gpointer) element);
      g_ptr_array_add (x->items, NULL);
      xml_members (x, json_node_get_object (node));
      xml_close (x);
    }
  else if (JSON_NODE_HOLDS_ARRAY (node) && json_array_get_length (json_node_get_array (node)))
    {
      JsonArray *array = json_node_get_array (node);

      g_string_append (x->out, ">\n");
      g_ptr_array_add (x->open, (gpointer) element);
      g_ptr_array_add (x->items, NULL);
      for (guint i = 0; i < json_array_get_length (array); i++)
        xml_value (x, "item", NULL, json_array_get_element (array, i));
      xml_close (x);
    }
  else
    {
      g_string_append (x->out, "/>\n");
    }
}

static void
xml_json (gpointer    sink,
          const char *name,
          JsonNode   *node)
{
  XmlSink *x = sink;

  g_assert (JSON_NODE_HOLDS_OBJECT (node));
  xml_open (x, xml_element (x, name), NULL);
  xml_members (x, json_node_get_object (node));
  xml_close (x);
}

static const Emitter xml_emitter = { xml_begin, xml_end, xml_scalar, xml_json };

/* The walk ----------------------------------------------------------------------------------- */

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

static void
emit_string (const Emitter *e,
             gpointer       sink,
             const char    *name,
             const char    *value)
{
  g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), value);

  e->value (sink, name, node);
}

static void
emit_int (const Emitter *e,
          gpointer       sink,
          const char    *name,
          gint64         value)
{
  g_autoptr(JsonNode) node = json_node_init_int (json_node_alloc (), value);

  e->value (sink, name, node);
}

/* Everything a sidecar says about @doc, in order, to @e. With @include_pdf the delivered file
 * too (name, hash, size, level), which must exist. */
static gboolean
walk (PeStore           *store,
      PeDocumentRecord  *doc,
      gboolean           include_pdf,
      const Emitter     *e,
      gpointer           sink,
      GError           **error)
{
  g_autoptr(JsonNode) meta = NULL;
  g_autoptr(GPtrArray) pages = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *now_str = g_date_time_format_iso8601 (now);
  GStatBuf st = { 0 };
  JsonObject *mo;

  meta = parse_metadata (doc->metadata_json, error);
  if (meta == NULL)
    return FALSE;
  mo = json_node_get_object (meta);
  pages = pe_store_list_pages (store, doc->batch_id, error);
  if (pages == NULL)
    return FALSE;
  if (include_pdf && g_stat (doc->pdf_path, &st) != 0)
    {
      g_set_error (error, PE_ERROR, PE_ERROR_NOT_FOUND,
                   _("The PDF of document %s is missing from the batch store. Process the batch "
                     "again to rebuild it."), doc->uuid);
      return FALSE;
    }

  emit_string (e, sink, "format", PE_SIDECAR_FORMAT);
  emit_string (e, sink, "id", doc->uuid);
  emit_int (e, sink, "batch", doc->batch_id);
  emit_string (e, sink, "created", doc->created);
  emit_string (e, sink, "delivered", now_str);

  e->begin (sink, "software", NULL);
  emit_string (e, sink, "name", "Posteingang");
  emit_string (e, sink, "version", PACKAGE_VERSION);
  e->end (sink, FALSE);

  if (include_pdf)
    {
      g_autofree char *pdf_name = g_strdup_printf ("%s.pdf", doc->uuid);

      e->begin (sink, "pdf", NULL);
      emit_string (e, sink, "file", pdf_name);
      emit_string (e, sink, "sha256", doc->pdf_sha256);
      emit_int (e, sink, "bytes", st.st_size);
      emit_string (e, sink, "pdfa", json_object_get_string_member_with_default (mo, "pdfa", "2b"));
      e->end (sink, FALSE);
    }

  e->begin (sink, "ocr", NULL);
  emit_string (e, sink, "engine", json_object_get_string_member_with_default (mo, "ocr_engine",
                                                                          "tesseract"));
  emit_string (e, sink, "languages", json_object_get_string_member_with_default (mo, "languages",
                                                                             "deu"));
  e->end (sink, FALSE);

  e->json (sink, "metadata", meta);

  e->begin (sink, "pages", "page");
  for (guint i = 0; i < doc->page_ids->len; i++)
    {
      gint64 id = g_array_index (doc->page_ids, gint64, i);
      PePageRecord *p = pe_page_records_find (pages, id);

      g_assert (p != NULL);

      e->begin (sink, NULL, NULL);
      emit_int (e, sink, "number", i + 1);
      emit_int (e, sink, "batch_seq", p->seq);
      emit_string (e, sink, "source", p->source);
      emit_string (e, sink, "scanned", p->created);
      emit_string (e, sink, "image_sha256", p->sha256);
      emit_int (e, sink, "dpi", p->dpi);
      emit_int (e, sink, "width", p->width);
      emit_int (e, sink, "height", p->height);
      emit_int (e, sink, "depth", p->depth);
      {
        g_autoptr(JsonNode) confidence = json_node_init_double (json_node_alloc (),
                                                                p->ocr_confidence);

        e->value (sink, "ocr_confidence", confidence);
      }
      if (p->clean_report_json != NULL)
        {
          g_autoptr(JsonNode) clean = parse_metadata (p->clean_report_json, error);

          if (clean == NULL)
            return FALSE;
          /* What cleanup did to the page: part of the scan protocol. */
          e->json (sink, "cleanup", clean);
        }
      e->end (sink, FALSE);
    }
  e->end (sink, TRUE);

  return TRUE;
}

char *
pe_sidecar_build (PeStore           *store,
                  PeDocumentRecord  *doc,
                  GError           **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (PE_IS_STORE (store), NULL);
  g_return_val_if_fail (doc != NULL && doc->pdf_path != NULL, NULL);

  json_builder_begin_object (b);
  if (!walk (store, doc, TRUE, &json_emitter, b, error))
    return NULL;
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  return json_to_string (root, TRUE);
}

char *
pe_sidecar_build_xml (PeStore           *store,
                      PeDocumentRecord  *doc,
                      gboolean           include_pdf,
                      GError           **error)
{
  g_autoptr(GString) out = g_string_new ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  g_autoptr(GPtrArray) open = g_ptr_array_new ();
  g_autoptr(GPtrArray) items = g_ptr_array_new ();
  XmlSink x = { out, open, items };

  g_return_val_if_fail (PE_IS_STORE (store), NULL);
  g_return_val_if_fail (doc != NULL, NULL);
  g_return_val_if_fail (!include_pdf || doc->pdf_path != NULL, NULL);

  g_string_append (out, "<sidecar xmlns=\"" PE_SIDECAR_XML_NAMESPACE "\">\n");
  g_ptr_array_add (open, (gpointer) "sidecar");
  g_ptr_array_add (items, NULL);
  if (!walk (store, doc, include_pdf, &xml_emitter, &x, error))
    return NULL;
  xml_close (&x);
  g_assert (open->len == 0);

  return g_string_free (g_steal_pointer (&out), FALSE);
}
