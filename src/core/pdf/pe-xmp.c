/* pe-xmp.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The packet is written as text rather than built with a library: its form is fixed, and
 * PDF/A validators are picky about details (one rdf:Description per schema, x-default titles,
 * a pdfaExtension description for every property outside the predefined schemas) that are
 * easiest to keep right when they are visible in one place.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "pe-xmp.h"

char *
_pe_xmp_format_date (GDateTime *date)
{
  return g_date_time_format (date, "%Y-%m-%dT%H:%M:%S%:z");
}

char *
_pe_pdf_format_date (GDateTime *date)
{
  g_autofree char *base = g_date_time_format (date, "D:%Y%m%d%H%M%S");
  gint64 offset = g_date_time_get_utc_offset (date) / G_TIME_SPAN_MINUTE;

  if (offset == 0)
    return g_strdup_printf ("%sZ", base);

  return g_strdup_printf ("%s%c%02d'%02d'", base, offset < 0 ? '-' : '+',
                          (int) (ABS (offset) / 60), (int) (ABS (offset) % 60));
}

static gboolean
all_digits (const char *s,
            gsize       n)
{
  for (gsize i = 0; i < n; i++)
    if (!g_ascii_isdigit (s[i]))
      return FALSE;
  return TRUE;
}

char *
_pe_xmp_normalize_date (const char *str)
{
  g_autoptr(GTimeZone) utc = NULL;
  g_autoptr(GDateTime) dt = NULL;
  gsize len;

  if (str == NULL)
    return NULL;

  len = strlen (str);
  if (len == 4 && all_digits (str, 4))
    return g_strdup (str);
  if (len == 7 && all_digits (str, 4) && str[4] == '-' && all_digits (str + 5, 2))
    {
      int m = atoi (str + 5);

      return m >= 1 && m <= 12 ? g_strdup (str) : NULL;
    }
  if (len == 10 && all_digits (str, 4) && str[4] == '-' && all_digits (str + 5, 2) &&
      str[7] == '-' && all_digits (str + 8, 2))
    {
      int y = atoi (str), m = atoi (str + 5), d = atoi (str + 8);

      return m >= 1 && m <= 12 && g_date_valid_dmy (d, m, y) ? g_strdup (str) : NULL;
    }
  /* German letters write 28.01.2026 */
  if (len == 10 && all_digits (str, 2) && str[2] == '.' && all_digits (str + 3, 2) &&
      str[5] == '.' && all_digits (str + 6, 4))
    {
      int d = atoi (str), m = atoi (str + 3), y = atoi (str + 6);

      if (m >= 1 && m <= 12 && g_date_valid_dmy (d, m, y))
        return g_strdup_printf ("%04d-%02d-%02d", y, m, d);
      return NULL;
    }

  utc = g_time_zone_new_utc ();
  dt = g_date_time_new_from_iso8601 (str, utc);
  if (dt != NULL)
    return _pe_xmp_format_date (dt);

  return NULL;
}

GStrv
_pe_xmp_languages (const char *tesseract_languages)
{
  static const struct { const char *tess, *tag; } map[] = {
    { "deu", "de" }, { "deu_latf", "de" }, { "frk", "de" }, { "eng", "en" },
    { "fra", "fr" }, { "ita", "it" }, { "spa", "es" }, { "nld", "nl" }, { "pol", "pl" },
    { "por", "pt" }, { "tur", "tr" }, { "rus", "ru" }, { "ukr", "uk" }, { "ces", "cs" },
    { "dan", "da" }, { "fin", "fi" }, { "swe", "sv" }, { "nor", "no" }, { "hun", "hu" },
    { "ell", "el" }, { "ara", "ar" }, { "ron", "ro" }, { "hrv", "hr" }, { "slk", "sk" },
    { "slv", "sl" }, { "bul", "bg" }, { "srp", "sr" }, { "lit", "lt" }, { "lav", "lv" },
    { "est", "et" }, { "fas", "fa" }, { "vie", "vi" }, { "chi_sim", "zh" },
  };
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_auto(GStrv) parts = NULL;

  if (tesseract_languages == NULL)
    return g_strv_builder_end (builder);

  parts = g_strsplit_set (tesseract_languages, "+,; ", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *tag = NULL;

      for (guint k = 0; k < G_N_ELEMENTS (map) && tag == NULL; k++)
        if (g_ascii_strcasecmp (parts[i], map[k].tess) == 0)
          tag = map[k].tag;

      /* Other codes are ISO 639-2, which RFC 3066 accepts as a primary tag; "osd" and "equ"
       * are Tesseract models, not languages. */
      if (tag == NULL)
        {
          gsize len = strlen (parts[i]);
          gboolean alpha = len == 2 || len == 3;

          for (gsize k = 0; k < len; k++)
            alpha = alpha && g_ascii_islower (parts[i][k]);
          if (alpha && strcmp (parts[i], "osd") != 0 && strcmp (parts[i], "equ") != 0)
            tag = parts[i];
        }

      if (tag != NULL && !g_hash_table_contains (seen, tag))
        {
          g_hash_table_add (seen, (gpointer) tag);
          g_strv_builder_add (builder, tag);
        }
    }

  return g_strv_builder_end (builder);
}

char *
_pe_xmp_clean_text (const char *str)
{
  g_autofree char *valid = NULL;
  GString *s;

  if (str == NULL || str[0] == '\0')
    return NULL;

  valid = g_utf8_make_valid (str, -1);
  s = g_string_new (NULL);
  /* XML keeps tab and newline; it would turn CR into LF, so CR goes too */
  for (const char *p = valid; *p != '\0'; p++)
    if ((guchar) *p >= 0x20 || *p == '\t' || *p == '\n')
      g_string_append_c (s, *p);

  if (s->len == 0)
    {
      g_string_free (s, TRUE);
      return NULL;
    }
  return g_string_free (s, FALSE);
}

/* XML 1.0 text: escapes markup and drops control characters, which XML cannot carry even as
 * character references (g_markup_escape_text would write &#x1;). */
static void
append_escaped (GString    *s,
                const char *raw)
{
  g_autofree char *text = _pe_xmp_clean_text (raw);

  if (text == NULL)
    return;

  for (const char *p = text; *p != '\0'; p++)
    {
      switch (*p)
        {
        case '&': g_string_append (s, "&amp;"); break;
        case '<': g_string_append (s, "&lt;"); break;
        case '>': g_string_append (s, "&gt;"); break;
        case '"': g_string_append (s, "&quot;"); break;
        case '\t':
        case '\n':
          g_string_append_c (s, *p);
          break;
        default:
          if ((guchar) *p >= 0x20)
            g_string_append_c (s, *p);
          break;
        }
    }
}

static void
append_simple (GString    *s,
               const char *name,
               const char *value)
{
  g_autofree char *clean = _pe_xmp_clean_text (value);

  if (clean == NULL)
    return;
  g_string_append_printf (s, "   <%s>", name);
  append_escaped (s, value);
  g_string_append_printf (s, "</%s>\n", name);
}

typedef struct
{
  const char *name;
  const char *category;
  const char *description;
} PeXmpProperty;

/* Text, not Date, also for intakeDate: the value comes from the user or a mail system, and a
 * malformed date would make the whole file invalid PDF/A instead of carrying the text. */
static const PeXmpProperty properties[] = {
  { "documentType", "external", "Document type assigned at intake" },
  { "caseReference", "external", "Case reference (Aktenzeichen, Kassenzeichen)" },
  { "orgUnit", "external", "Organisational unit the document is addressed to" },
  { "intakeDate", "external", "Date the document was received (ISO 8601)" },
  { "protocolRef", "internal", "Reference to the scan protocol or audit record" },
  { "documentId", "internal", "Stable document identifier (UUID)" },
};

/* Compact indentation: the schema description repeats in every file, and bitonal pages are
 * small enough for it to matter. */
static void
append_extension_schema (GString *s)
{
  g_string_append (s,
    "  <rdf:Description rdf:about=\"\"\n"
    "    xmlns:pdfaExtension=\"http://www.aiim.org/pdfa/ns/extension/\"\n"
    "    xmlns:pdfaSchema=\"http://www.aiim.org/pdfa/ns/schema#\"\n"
    "    xmlns:pdfaProperty=\"http://www.aiim.org/pdfa/ns/property#\">\n"
    "   <pdfaExtension:schemas><rdf:Bag>\n"
    "    <rdf:li rdf:parseType=\"Resource\">\n"
    "     <pdfaSchema:schema>Posteingang document metadata</pdfaSchema:schema>\n"
    "     <pdfaSchema:namespaceURI>" PE_XMP_NAMESPACE "</pdfaSchema:namespaceURI>\n"
    "     <pdfaSchema:prefix>" PE_XMP_PREFIX "</pdfaSchema:prefix>\n"
    "     <pdfaSchema:property><rdf:Seq>\n");
  for (guint i = 0; i < G_N_ELEMENTS (properties); i++)
    g_string_append_printf (s,
      "      <rdf:li rdf:parseType=\"Resource\">"
      "<pdfaProperty:name>%s</pdfaProperty:name>"
      "<pdfaProperty:valueType>Text</pdfaProperty:valueType>"
      "<pdfaProperty:category>%s</pdfaProperty:category>"
      "<pdfaProperty:description>%s</pdfaProperty:description></rdf:li>\n",
      properties[i].name, properties[i].category, properties[i].description);
  g_string_append (s,
    "     </rdf:Seq></pdfaSchema:property>\n"
    "    </rdf:li>\n"
    "   </rdf:Bag></pdfaExtension:schemas>\n"
    "  </rdf:Description>\n");
}

char *
_pe_xmp_packet_new (PePdfaLevel          level,
                    const PePdfMetadata *md,
                    GDateTime           *created,
                    GDateTime           *modified,
                    const char          *producer)
{
  static const PePdfMetadata empty = { 0 };
  GString *s = g_string_new (NULL);
  g_autofree char *create_date = _pe_xmp_format_date (created);
  g_autofree char *modify_date = _pe_xmp_format_date (modified);
  g_autofree char *letter_date = NULL;
  g_autofree char *title = NULL;
  g_autofree char *sender = NULL;
  g_auto(GStrv) languages = NULL;
  const char *values[G_N_ELEMENTS (properties)];
  gboolean any_own = FALSE;
  int part = level == PE_PDFA_1B ? 1 : level == PE_PDFA_3B ? 3 : 2;
  const char *conformance = level == PE_PDFA_2U ? "U" : "B";

  if (md == NULL)
    md = &empty;

  letter_date = _pe_xmp_normalize_date (md->letter_date);
  title = _pe_xmp_clean_text (md->title);
  sender = _pe_xmp_clean_text (md->sender);
  languages = _pe_xmp_languages (md->languages);

  g_string_append (s,
    "<?xpacket begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
    "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n"
    " <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n");

  g_string_append_printf (s,
    "  <rdf:Description rdf:about=\"\" xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\">\n"
    "   <pdfaid:part>%d</pdfaid:part>\n"
    "   <pdfaid:conformance>%s</pdfaid:conformance>\n"
    "  </rdf:Description>\n", part, conformance);

  g_string_append (s,
    "  <rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n"
    "   <dc:format>application/pdf</dc:format>\n");
  if (title != NULL)
    {
      g_string_append (s, "   <dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">");
      append_escaped (s, title);
      g_string_append (s, "</rdf:li></rdf:Alt></dc:title>\n");
    }
  if (sender != NULL)
    {
      g_string_append (s, "   <dc:creator><rdf:Seq><rdf:li>");
      append_escaped (s, sender);
      g_string_append (s, "</rdf:li></rdf:Seq></dc:creator>\n");
    }
  if (letter_date != NULL)
    g_string_append_printf (s, "   <dc:date><rdf:Seq><rdf:li>%s</rdf:li></rdf:Seq></dc:date>\n",
                            letter_date);
  if (languages[0] != NULL)
    {
      g_string_append (s, "   <dc:language><rdf:Bag>");
      for (guint i = 0; languages[i] != NULL; i++)
        g_string_append_printf (s, "<rdf:li>%s</rdf:li>", languages[i]);
      g_string_append (s, "</rdf:Bag></dc:language>\n");
    }
  g_string_append (s, "  </rdf:Description>\n");

  g_string_append_printf (s,
    "  <rdf:Description rdf:about=\"\" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\">\n"
    "   <xmp:CreateDate>%s</xmp:CreateDate>\n"
    "   <xmp:ModifyDate>%s</xmp:ModifyDate>\n"
    "   <xmp:MetadataDate>%s</xmp:MetadataDate>\n",
    create_date, modify_date, modify_date);
  append_simple (s, "xmp:CreatorTool", producer);
  g_string_append (s, "  </rdf:Description>\n");

  g_string_append (s,
    "  <rdf:Description rdf:about=\"\" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\n");
  append_simple (s, "pdf:Producer", producer);
  g_string_append (s, "  </rdf:Description>\n");

  if (md->document_id != NULL && md->document_id[0] != '\0')
    {
      g_autofree char *uri = g_strconcat ("uuid:", md->document_id, NULL);

      g_string_append (s,
        "  <rdf:Description rdf:about=\"\" xmlns:xmpMM=\"http://ns.adobe.com/xap/1.0/mm/\">\n");
      append_simple (s, "xmpMM:DocumentID", uri);
      g_string_append (s, "  </rdf:Description>\n");
    }

  values[0] = md->document_type;
  values[1] = md->case_reference;
  values[2] = md->org_unit;
  values[3] = md->intake_date;
  values[4] = md->protocol_ref;
  values[5] = md->document_id;
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    any_own = any_own || (values[i] != NULL && values[i][0] != '\0');

  if (any_own)
    {
      append_extension_schema (s);
      g_string_append (s, "  <rdf:Description rdf:about=\"\" xmlns:" PE_XMP_PREFIX "=\""
                          PE_XMP_NAMESPACE "\">\n");
      for (guint i = 0; i < G_N_ELEMENTS (values); i++)
        {
          g_autofree char *name = g_strconcat (PE_XMP_PREFIX ":", properties[i].name, NULL);

          append_simple (s, name, values[i]);
        }
      g_string_append (s, "  </rdf:Description>\n");
    }

  g_string_append (s, " </rdf:RDF>\n</x:xmpmeta>\n");

  /* Some room for editors that update the packet in place. */
  for (guint i = 0; i < 3; i++)
    g_string_append (s, "                                                                   "
                        "                                \n");
  g_string_append (s, "<?xpacket end=\"w\"?>");

  return g_string_free (s, FALSE);
}
