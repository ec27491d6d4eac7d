/* pe-pdfa-verify.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A file that fails is never delivered as PDF/A. Preflight is the real judge but needs a JVM
 * and seconds per file; this check costs milliseconds and catches what can go wrong between
 * the writer and the disk — a truncated file, a damaged xref table, an object that is not
 * where the table says, a stream shorter than its /Length — and whether the file still says
 * what it is. It parses every object of the file with a small PDF object parser of its own
 * (poppler would silently repair exactly the damage looked for here).
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdlib.h>
#include <string.h>

#include "pe-error.h"
#include "pe-pdfa-verify.h"

#define MAX_DEPTH 32

typedef enum
{
  V_NULL,
  V_BOOL,
  V_INT,
  V_REAL,
  V_NAME,
  V_STRING,
  V_ARRAY,
  V_DICT,
  V_REF,
} ValueType;

typedef struct _Value Value;
struct _Value
{
  ValueType  type;
  gint64     num;     /* V_INT, V_BOOL; V_REF: object number */
  guint      gen;     /* V_REF */
  char      *str;     /* V_NAME (without the slash), V_STRING (raw bytes) */
  gsize      str_len;
  GPtrArray *items;   /* V_ARRAY: values; V_DICT: key, value, key, value … */
};

static void
value_free (Value *v)
{
  if (v == NULL)
    return;
  g_free (v->str);
  g_clear_pointer (&v->items, g_ptr_array_unref);
  g_free (v);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Value, value_free)

static Value *
value_new (ValueType type)
{
  Value *v = g_new0 (Value, 1);

  v->type = type;
  if (type == V_ARRAY || type == V_DICT)
    v->items = g_ptr_array_new_with_free_func ((GDestroyNotify) value_free);
  return v;
}

static const Value *
dict_get (const Value *dict,
          const char  *key)
{
  if (dict == NULL || dict->type != V_DICT)
    return NULL;
  for (guint i = 0; i + 1 < dict->items->len; i += 2)
    {
      const Value *k = g_ptr_array_index (dict->items, i);

      if (strcmp (k->str, key) == 0)
        return g_ptr_array_index (dict->items, i + 1);
    }
  return NULL;
}

static gboolean
is_name (const Value *v,
         const char  *name)
{
  return v != NULL && v->type == V_NAME && strcmp (v->str, name) == 0;
}

/* Lexing ------------------------------------------------------------------------------------ */

typedef struct
{
  const guint8 *data;
  gsize         len;
} Buf;

static inline gboolean
is_space (guint8 c)
{
  return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ';
}

static inline gboolean
is_delim (guint8 c)
{
  return c == '(' || c == ')' || c == '<' || c == '>' || c == '[' || c == ']' || c == '{' ||
         c == '}' || c == '/' || c == '%';
}

static void
skip_space (const Buf *b,
            gsize     *pos)
{
  while (*pos < b->len)
    {
      if (b->data[*pos] == '%')
        {
          while (*pos < b->len && b->data[*pos] != '\n' && b->data[*pos] != '\r')
            (*pos)++;
        }
      else if (is_space (b->data[*pos]))
        (*pos)++;
      else
        break;
    }
}

static gboolean
has_keyword (const Buf  *b,
             gsize       pos,
             const char *word)
{
  gsize n = strlen (word);

  return pos + n <= b->len && memcmp (b->data + pos, word, n) == 0 &&
         (pos + n == b->len || is_space (b->data[pos + n]) || is_delim (b->data[pos + n]));
}

/* An unsigned integer of at most 18 digits at @pos. */
static gboolean
read_uint (const Buf *b,
           gsize     *pos,
           gint64    *value)
{
  gsize start = *pos;
  gint64 v = 0;

  while (*pos < b->len && g_ascii_isdigit (b->data[*pos]) && *pos - start < 18)
    v = v * 10 + (b->data[(*pos)++] - '0');
  if (*pos == start || (*pos < b->len && g_ascii_isdigit (b->data[*pos])))
    return FALSE;
  *value = v;
  return TRUE;
}

static Value *parse_value (const Buf *b, gsize *pos, int depth);

static Value *
parse_number (const Buf *b,
              gsize     *pos)
{
  gsize start = *pos;
  gboolean real = FALSE;
  g_autofree char *text = NULL;
  Value *v;

  if (b->data[*pos] == '+' || b->data[*pos] == '-')
    (*pos)++;
  while (*pos < b->len && (g_ascii_isdigit (b->data[*pos]) || b->data[*pos] == '.'))
    {
      real |= b->data[*pos] == '.';
      (*pos)++;
    }
  if (*pos - start > 32 || (*pos - start == 1 && !g_ascii_isdigit (b->data[start])))
    return NULL;
  text = g_strndup ((const char *) b->data + start, *pos - start);
  v = value_new (real ? V_REAL : V_INT);
  v->num = real ? 0 : g_ascii_strtoll (text, NULL, 10);

  /* "12 0 R" is a reference */
  if (!real && text[0] != '+' && text[0] != '-')
    {
      gsize p = *pos;
      gint64 gen;

      skip_space (b, &p);
      if (p < b->len && g_ascii_isdigit (b->data[p]) && read_uint (b, &p, &gen))
        {
          skip_space (b, &p);
          if (has_keyword (b, p, "R") && gen <= 65535)
            {
              v->type = V_REF;
              v->gen = gen;
              *pos = p + 1;
            }
        }
    }
  return v;
}

static Value *
parse_literal_string (const Buf *b,
                      gsize     *pos)
{
  GString *s = g_string_new (NULL);
  int nesting = 1;
  Value *v;

  (*pos)++;
  while (*pos < b->len)
    {
      guint8 c = b->data[(*pos)++];

      if (c == '\\')
        {
          if (*pos >= b->len)
            break;
          g_string_append_c (s, b->data[(*pos)++]);   /* escapes need no decoding here */
          continue;
        }
      if (c == '(')
        nesting++;
      else if (c == ')' && --nesting == 0)
        {
          v = value_new (V_STRING);
          v->str_len = s->len;
          v->str = g_string_free (s, FALSE);
          return v;
        }
      g_string_append_c (s, c);
    }
  g_string_free (s, TRUE);
  return NULL;
}

static Value *
parse_hex_string (const Buf *b,
                  gsize     *pos)
{
  GString *s = g_string_new (NULL);
  int nibble = -1;
  Value *v;

  (*pos)++;
  while (*pos < b->len && b->data[*pos] != '>')
    {
      guint8 c = b->data[(*pos)++];
      int d = g_ascii_xdigit_value (c);

      if (is_space (c))
        continue;
      if (d < 0)
        {
          g_string_free (s, TRUE);
          return NULL;
        }
      if (nibble < 0)
        nibble = d;
      else
        {
          g_string_append_c (s, (char) (nibble << 4 | d));
          nibble = -1;
        }
    }
  if (*pos >= b->len)
    {
      g_string_free (s, TRUE);
      return NULL;
    }
  (*pos)++;
  if (nibble >= 0)
    g_string_append_c (s, (char) (nibble << 4));
  v = value_new (V_STRING);
  v->str_len = s->len;
  v->str = g_string_free (s, FALSE);
  return v;
}

static Value *
parse_name (const Buf *b,
            gsize     *pos)
{
  gsize start = ++(*pos);
  Value *v;

  while (*pos < b->len && !is_space (b->data[*pos]) && !is_delim (b->data[*pos]))
    (*pos)++;
  v = value_new (V_NAME);
  v->str = g_strndup ((const char *) b->data + start, *pos - start);
  return v;
}

static Value *
parse_value (const Buf *b,
             gsize     *pos,
             int        depth)
{
  guint8 c;

  if (depth > MAX_DEPTH)
    return NULL;
  skip_space (b, pos);
  if (*pos >= b->len)
    return NULL;
  c = b->data[*pos];

  if (c == '<' && *pos + 1 < b->len && b->data[*pos + 1] == '<')
    {
      g_autoptr(Value) dict = value_new (V_DICT);

      *pos += 2;
      for (;;)
        {
          Value *key, *val;

          skip_space (b, pos);
          if (*pos + 1 < b->len && b->data[*pos] == '>' && b->data[*pos + 1] == '>')
            {
              *pos += 2;
              return g_steal_pointer (&dict);
            }
          if (*pos >= b->len || b->data[*pos] != '/')
            return NULL;
          key = parse_name (b, pos);
          g_ptr_array_add (dict->items, key);
          val = parse_value (b, pos, depth + 1);
          if (val == NULL)
            return NULL;
          g_ptr_array_add (dict->items, val);
        }
    }
  if (c == '[')
    {
      g_autoptr(Value) array = value_new (V_ARRAY);

      (*pos)++;
      for (;;)
        {
          Value *item;

          skip_space (b, pos);
          if (*pos < b->len && b->data[*pos] == ']')
            {
              (*pos)++;
              return g_steal_pointer (&array);
            }
          item = parse_value (b, pos, depth + 1);
          if (item == NULL)
            return NULL;
          g_ptr_array_add (array->items, item);
        }
    }
  if (c == '(')
    return parse_literal_string (b, pos);
  if (c == '<')
    return parse_hex_string (b, pos);
  if (c == '/')
    return parse_name (b, pos);
  if (g_ascii_isdigit (c) || c == '+' || c == '-' || c == '.')
    return parse_number (b, pos);
  if (has_keyword (b, *pos, "true") || has_keyword (b, *pos, "false"))
    {
      Value *v = value_new (V_BOOL);

      v->num = c == 't';
      *pos += c == 't' ? 4 : 5;
      return v;
    }
  if (has_keyword (b, *pos, "null"))
    {
      *pos += 4;
      return value_new (V_NULL);
    }
  return NULL;
}

/* Checking ---------------------------------------------------------------------------------- */

typedef struct
{
  gint64  offset;     /* -1: free entry */
  guint   gen;
  Value  *value;      /* the parsed object (a stream: its dictionary) */
  gsize   stream;     /* offset of the stream data, 0 if none */
  gsize   stream_len;
} Entry;

typedef struct
{
  Buf     buf;
  Entry  *entries;
  guint   n_entries;
  char   *problem;    /* what is wrong, translated */
  int     code;       /* PE_ERROR_CORRUPT, or PE_ERROR_UNSUPPORTED for valid forms not read */
  gboolean in_length; /* resolving an indirect /Length: no further recursion */
} Checker;

static gboolean G_GNUC_PRINTF (2, 3)
problem (Checker    *c,
         const char *format,
         ...)
{
  va_list args;

  if (c->problem == NULL)
    {
      va_start (args, format);
      c->problem = g_strdup_vprintf (format, args);
      va_end (args);
    }
  return FALSE;
}

static const Value *
lookup (Checker     *c,
        const Value *ref)
{
  if (ref == NULL || ref->type != V_REF || ref->num <= 0 || ref->num >= c->n_entries)
    return NULL;
  if (c->entries[ref->num].offset < 0 || c->entries[ref->num].gen != ref->gen)
    return NULL;
  return c->entries[ref->num].value;
}

static gboolean
check_header (Checker *c)
{
  const Buf *b = &c->buf;
  gsize eol;

  if (b->len < 16 || memcmp (b->data, "%PDF-1.", 7) != 0 || !g_ascii_isdigit (b->data[7]))
    return problem (c, _("it does not start with a PDF header"));

  /* PDF/A: a comment of at least four bytes above 127 right after the header line */
  eol = 8;
  if (b->data[eol] == '\r')
    eol++;
  if (b->data[eol] == '\n')
    eol++;
  if (eol == 8 || b->data[eol] != '%' ||
      b->data[eol + 1] < 128 || b->data[eol + 2] < 128 || b->data[eol + 3] < 128 ||
      b->data[eol + 4] < 128)
    return problem (c, _("the binary marker after the header is missing"));
  return TRUE;
}

/* The offset after "startxref", from the end of the file. */
static gboolean
find_startxref (Checker *c,
                gsize   *xref)
{
  const Buf *b = &c->buf;
  gsize end = b->len, p;
  gint64 value;

  /* nothing but one end-of-line may follow the final %%EOF */
  if (end > 0 && b->data[end - 1] == '\n')
    end--;
  if (end > 0 && b->data[end - 1] == '\r')
    end--;
  if (end < 5 || memcmp (b->data + end - 5, "%%EOF", 5) != 0)
    return problem (c, _("it does not end with %%%%EOF, so it is cut off or has something "
                         "appended"));

  for (p = end - 5; p > 0 && end - p < 64; p--)
    if (has_keyword (b, p, "startxref"))
      break;
  if (p == 0 || end - p >= 64)
    return problem (c, _("the startxref entry at its end is missing"));
  p += 9;
  skip_space (b, &p);
  if (!read_uint (b, &p, &value) || value <= 0 || (guint64) value >= b->len)
    return problem (c, _("startxref points outside the file"));
  *xref = value;
  return TRUE;
}

static gboolean
parse_xref (Checker *c,
            gsize    pos,
            gsize   *trailer)
{
  const Buf *b = &c->buf;
  GArray *entries = g_array_new (FALSE, TRUE, sizeof (Entry));

  if (!has_keyword (b, pos, "xref"))
    {
      g_array_unref (entries);
      if (pos < b->len && g_ascii_isdigit (b->data[pos]))
        {
          c->code = PE_ERROR_UNSUPPORTED;
          return problem (c, _("it has a cross-reference stream, which this check does not "
                               "read"));
        }
      return problem (c, _("startxref does not point at the cross-reference table"));
    }
  pos += 4;

  for (;;)
    {
      gint64 first, count;

      skip_space (b, &pos);
      if (has_keyword (b, pos, "trailer"))
        break;
      if (!read_uint (b, &pos, &first) || !(skip_space (b, &pos), read_uint (b, &pos, &count)) ||
          first > 8000000 || count > 8000000)
        {
          g_array_unref (entries);
          return problem (c, _("the cross-reference table is damaged"));
        }
      /* the entries start on the next line and are exactly 20 bytes each */
      while (pos < b->len && (b->data[pos] == ' ' || b->data[pos] == '\r'))
        pos++;
      if (pos >= b->len || b->data[pos] != '\n')
        {
          g_array_unref (entries);
          return problem (c, _("the cross-reference table is damaged"));
        }
      pos++;
      if (entries->len < first + count)
        g_array_set_size (entries, first + count);
      for (gint64 i = 0; i < count; i++, pos += 20)
        {
          const guint8 *e = b->data + pos;
          Entry *entry = &g_array_index (entries, Entry, first + i);
          gsize p = 0;
          gint64 offset, gen;
          const Buf line = { e, 17 };

          if (pos + 20 > b->len || e[10] != ' ' || e[16] != ' ' ||
              (e[17] != 'n' && e[17] != 'f') || !read_uint (&line, &p, &offset) || p != 10 ||
              (p = 11, !read_uint (&line, &p, &gen)) || p != 16 ||
              !((e[18] == ' ' || e[18] == '\r') && (e[19] == '\n' || e[19] == '\r')))
            {
              g_array_unref (entries);
              return problem (c, _("entry %u of the cross-reference table is damaged"),
                              (guint) (first + i));
            }
          entry->offset = e[17] == 'n' ? offset : -1;
          entry->gen = gen;
        }
    }

  c->n_entries = entries->len;
  c->entries = (Entry *) g_array_free (entries, FALSE);
  *trailer = pos + 7;
  return TRUE;
}

/* The object that entry @num points at: "num gen obj", a value, maybe a stream, "endobj". */
static gboolean
check_object (Checker *c,
              guint    num)
{
  const Buf *b = &c->buf;
  Entry *e = &c->entries[num];
  gsize pos = e->offset;
  gint64 n, gen;
  const Value *length;
  gint64 len;

  if (e->offset < 0)
    return TRUE;
  if ((guint64) e->offset >= b->len)
    return problem (c, _("object %u lies beyond the end of the file — the file is cut off"),
                    num);
  if (!read_uint (b, &pos, &n) || (skip_space (b, &pos), !read_uint (b, &pos, &gen)) ||
      (skip_space (b, &pos), !has_keyword (b, pos, "obj")))
    return problem (c, _("the cross-reference table points into the middle of something "
                         "instead of at object %u"), num);
  if (n != num || gen != e->gen)
    return problem (c, _("the cross-reference table points at object %u instead of %u"),
                    (guint) n, num);
  pos += 3;
  e->value = parse_value (b, &pos, 0);
  if (e->value == NULL)
    return problem (c, _("object %u cannot be read"), num);
  skip_space (b, &pos);

  if (has_keyword (b, pos, "stream"))
    {
      if (e->value->type != V_DICT)
        return problem (c, _("object %u cannot be read"), num);
      pos += 6;
      /* PDF/A: CR LF or LF after "stream", not counted in /Length */
      if (pos < b->len && b->data[pos] == '\r')
        pos++;
      if (pos >= b->len || b->data[pos] != '\n')
        return problem (c, _("the stream of object %u does not start on its own line"), num);
      pos++;

      length = dict_get (e->value, "Length");
      if (length != NULL && length->type == V_REF)
        {
          const Value *v = lookup (c, length);

          /* an indirect length is an object of its own, maybe not parsed yet */
          if (v == NULL && length->num < c->n_entries && length->num < num)
            return problem (c, _("the length of the stream of object %u is missing"), num);
          if (v == NULL && length->num > num && length->num < c->n_entries && !c->in_length)
            {
              gboolean ok;

              c->in_length = TRUE;
              ok = check_object (c, length->num);
              c->in_length = FALSE;
              if (!ok)
                return FALSE;
              v = lookup (c, length);
            }
          length = v;
        }
      if (length == NULL || length->type != V_INT || length->num < 0)
        return problem (c, _("the length of the stream of object %u is missing"), num);
      len = length->num;
      if ((guint64) len > b->len - pos)
        return problem (c, _("the stream of object %u is cut off"), num);
      e->stream = pos;
      e->stream_len = len;
      pos += len;
      if (pos < b->len && b->data[pos] == '\r')
        pos++;
      if (pos < b->len && b->data[pos] == '\n')
        pos++;
      if (!has_keyword (b, pos, "endstream"))
        return problem (c, _("the stream of object %u does not end where its length says"),
                        num);
      pos += 9;
      skip_space (b, &pos);
    }

  if (!has_keyword (b, pos, "endobj"))
    return problem (c, _("object %u does not end with endobj"), num);
  return TRUE;
}

static gboolean
count_pages (Checker     *c,
             const Value *ref,
             GHashTable  *seen,
             guint       *n,
             int          depth)
{
  const Value *node = lookup (c, ref);
  const Value *type, *kids;

  if (node == NULL || node->type != V_DICT || depth > MAX_DEPTH ||
      !g_hash_table_add (seen, GINT_TO_POINTER ((int) ref->num)))
    return problem (c, _("the page tree is damaged"));

  type = dict_get (node, "Type");
  if (is_name (type, "Page"))
    {
      (*n)++;
      return TRUE;
    }
  kids = dict_get (node, "Kids");
  if (!is_name (type, "Pages") || kids == NULL || kids->type != V_ARRAY)
    return problem (c, _("the page tree is damaged"));
  for (guint i = 0; i < kids->items->len; i++)
    if (!count_pages (c, g_ptr_array_index (kids->items, i), seen, n, depth + 1))
      return FALSE;
  return TRUE;
}

/* "<pdfaid:part>2</pdfaid:part>" or pdfaid:part="2": the first character of the value */
static int
xmp_value (const char *xmp,
           gsize       len,
           const char *property)
{
  g_autofree char *element = g_strdup_printf ("<pdfaid:%s>", property);
  g_autofree char *attribute = g_strdup_printf ("pdfaid:%s=", property);
  gsize el = strlen (element), al = strlen (attribute);

  for (gsize i = 0; i + el < len; i++)
    {
      if (memcmp (xmp + i, element, el) == 0)
        return xmp[i + el];
      if (i + al + 1 < len && memcmp (xmp + i, attribute, al) == 0 &&
          (xmp[i + al] == '"' || xmp[i + al] == '\''))
        return xmp[i + al + 1];
    }
  return -1;
}

static gboolean
check_document (Checker     *c,
                const Value *trailer,
                PePdfaLevel *level,
                guint       *n_pages)
{
  const Value *size = dict_get (trailer, "Size");
  const Value *id = dict_get (trailer, "ID");
  const Value *root, *pages, *count, *intents, *metadata_ref;
  const Entry *metadata = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  const char *xmp;
  int part, conformance;
  guint n = 0;

  if (size == NULL || size->type != V_INT || size->num != c->n_entries)
    return problem (c, _("the trailer's /Size does not match the cross-reference table"));
  if (dict_get (trailer, "Encrypt") != NULL)
    return problem (c, _("it is encrypted"));
  if (id == NULL || id->type != V_ARRAY || id->items->len != 2)
    return problem (c, _("the trailer has no file identifier"));

  root = lookup (c, dict_get (trailer, "Root"));
  if (root == NULL || !is_name (dict_get (root, "Type"), "Catalog"))
    return problem (c, _("the document catalog is missing"));
  intents = dict_get (root, "OutputIntents");
  if (intents == NULL || intents->type != V_ARRAY || intents->items->len == 0)
    return problem (c, _("the colour output intent is missing"));

  pages = lookup (c, dict_get (root, "Pages"));
  count = dict_get (pages, "Count");
  if (count == NULL || count->type != V_INT)
    return problem (c, _("the page tree is damaged"));
  if (!count_pages (c, dict_get (root, "Pages"), seen, &n, 0))
    return FALSE;
  if (n != count->num || n == 0)
    return problem (c, _("the page tree counts %d pages but holds %u"), (int) count->num, n);

  metadata_ref = dict_get (root, "Metadata");
  if (lookup (c, metadata_ref) != NULL)
    metadata = &c->entries[metadata_ref->num];
  if (metadata == NULL || metadata->stream == 0 ||
      !is_name (dict_get (metadata->value, "Type"), "Metadata"))
    return problem (c, _("the XMP metadata is missing"));
  if (dict_get (metadata->value, "Filter") != NULL)
    return problem (c, _("the XMP metadata is compressed, which PDF/A-1 forbids"));

  xmp = (const char *) c->buf.data + metadata->stream;
  part = xmp_value (xmp, metadata->stream_len, "part");
  conformance = g_ascii_toupper (xmp_value (xmp, metadata->stream_len, "conformance"));
  if (part == '1' && conformance == 'B')
    *level = PE_PDFA_1B;
  else if (part == '2' && conformance == 'B')
    *level = PE_PDFA_2B;
  else if (part == '2' && conformance == 'U')
    *level = PE_PDFA_2U;
  else if (part == '3' && conformance == 'B')
    *level = PE_PDFA_3B;
  else if (part < 0)
    return problem (c, _("its metadata does not declare a PDF/A level"));
  else
    return problem (c, _("it declares a PDF/A level this program does not write"));

  *n_pages = n;
  return TRUE;
}

gboolean
pe_pdfa_verify_structure (const char   *path,
                          PePdfaLevel  *level,
                          guint        *n_pages,
                          GError      **error)
{
  g_autoptr(GMappedFile) file = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(Value) trailer = NULL;
  g_autofree char *display = NULL;
  Checker c = { .code = PE_ERROR_CORRUPT };
  gsize xref = 0, pos = 0;
  PePdfaLevel found_level = PE_PDFA_2B;
  guint found_pages = 0;
  gboolean ok = FALSE;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  display = g_filename_display_name (path);
  file = g_mapped_file_new (path, FALSE, &local_error);
  if (file == NULL)
    {
      g_set_error (error, local_error->domain, local_error->code,
                   _("“%s” cannot be read: %s. Check that the file exists."), display,
                   local_error->message);
      return FALSE;
    }
  c.buf.data = (const guint8 *) g_mapped_file_get_contents (file);
  c.buf.len = g_mapped_file_get_length (file);

  if (check_header (&c) && find_startxref (&c, &xref) && parse_xref (&c, xref, &pos))
    {
      trailer = parse_value (&c.buf, &pos, 0);
      if (trailer == NULL || trailer->type != V_DICT)
        problem (&c, _("the trailer is damaged"));
      else if (dict_get (trailer, "Prev") != NULL || dict_get (trailer, "XRefStm") != NULL)
        {
          c.code = PE_ERROR_UNSUPPORTED;
          problem (&c, _("it has been updated incrementally, which this check does not read"));
        }
      else
        {
          ok = TRUE;
          for (guint i = 1; i < c.n_entries && ok; i++)
            if (c.entries[i].value == NULL)
              ok = check_object (&c, i);
          if (c.n_entries == 0 || c.entries[0].offset >= 0)
            ok = problem (&c, _("the cross-reference table is damaged"));
          ok = ok && check_document (&c, trailer, &found_level, &found_pages);
        }
    }

  for (guint i = 0; i < c.n_entries; i++)
    value_free (c.entries[i].value);
  g_free (c.entries);

  if (!ok)
    {
      g_set_error (error, PE_ERROR, c.code,
                   _("“%s” is not a complete PDF/A file: %s. Do not deliver it; create the "
                     "document again."), display, c.problem ? c.problem : "?");
      g_free (c.problem);
      return FALSE;
    }

  if (level != NULL)
    *level = found_level;
  if (n_pages != NULL)
    *n_pages = found_pages;
  return TRUE;
}
