/* pe-splitter.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "pe-splitter.h"
#include "pe-error.h"

static const char *const mode_names[] = {
  [PE_SPLIT_NONE] = "none",
  [PE_SPLIT_SEPARATOR] = "separator",
  [PE_SPLIT_BLANK_SHEET] = "blank",
  [PE_SPLIT_PAGE_COUNT] = "pages",
};

void
pe_split_params_init_default (PeSplitParams *params)
{
  g_return_if_fail (params != NULL);

  memset (params, 0, sizeof *params);
  params->mode = PE_SPLIT_NONE;
  params->page_count = 1;
  params->keep_separator_pages = FALSE;
}

gboolean
pe_split_mode_from_string (const char  *string,
                           PeSplitMode *mode)
{
  g_return_val_if_fail (mode != NULL, FALSE);

  if (string == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (mode_names); i++)
    if (g_ascii_strcasecmp (string, mode_names[i]) == 0)
      {
        *mode = i;
        return TRUE;
      }
  return FALSE;
}

const char *
pe_split_mode_to_string (PeSplitMode mode)
{
  if ((guint) mode < G_N_ELEMENTS (mode_names))
    return mode_names[mode];
  return "none";
}

gboolean
pe_split_params_from_strings (PeSplitParams  *params,
                              const char     *split_mode,
                              const char     *split_pages,
                              const char     *keep_separator_pages,
                              GError        **error)
{
  PeSplitMode mode;
  guint page_count;
  gboolean keep;

  g_return_val_if_fail (params != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  mode = params->mode;
  page_count = params->page_count;
  keep = params->keep_separator_pages;

  if (split_mode != NULL)
    {
      g_autofree char *value = g_strstrip (g_strdup (split_mode));

      if (!pe_split_mode_from_string (value, &mode))
        {
          g_set_error (error, PE_ERROR, PE_ERROR_INVALID,
                       _("SplitMode=%s is not known. Use “separator” (separator sheets), "
                         "“blank” (blank sheets), “pages” (every SplitPages pages) or "
                         "“none”."), split_mode);
          return FALSE;
        }
    }
  if (split_pages != NULL)
    {
      g_autofree char *value = g_strstrip (g_strdup (split_pages));
      guint64 n = 0;

      if (!g_ascii_string_to_unsigned (value, 10, 1, 10000, &n, NULL))
        {
          g_set_error (error, PE_ERROR, PE_ERROR_INVALID,
                       _("SplitPages=%s is not a page count. Write a whole number from 1 to "
                         "10000."), split_pages);
          return FALSE;
        }
      page_count = n;
    }
  else if (mode == PE_SPLIT_PAGE_COUNT && split_mode != NULL)
    {
      g_set_error (error, PE_ERROR, PE_ERROR_INVALID,
                   _("SplitMode=pages needs the number of pages per document. Add "
                     "SplitPages=N to the profile."));
      return FALSE;
    }
  if (keep_separator_pages != NULL)
    {
      g_autofree char *value = g_strstrip (g_strdup (keep_separator_pages));

      if (g_ascii_strcasecmp (value, "true") == 0 || g_strcmp0 (value, "1") == 0)
        keep = TRUE;
      else if (g_ascii_strcasecmp (value, "false") == 0 || g_strcmp0 (value, "0") == 0)
        keep = FALSE;
      else
        {
          g_set_error (error, PE_ERROR, PE_ERROR_INVALID,
                       _("KeepSeparatorPages=%s is not a yes or no. Write “true” or "
                         "“false”."), keep_separator_pages);
          return FALSE;
        }
    }

  params->mode = mode;
  params->page_count = page_count;
  params->keep_separator_pages = keep;
  return TRUE;
}

typedef struct
{
  const PeSplitPage *pages;
  PeSplitRole       *roles;
  GPtrArray         *documents;
  GArray            *current;     /* guint page indices of the open document */
  guint              n_content;   /* its pages other than kept separator pages */
} Splitter;

/* Rule 1: @b is on the same sheet as @a, the page before it. */
static gboolean
same_sheet (const PeSplitPage *a,
            const PeSplitPage *b)
{
  if (b->sheet != 0)
    return a->sheet == b->sheet;
  return b->back_side;
}

static void
end_document (Splitter *s)
{
  GArray *ids;

  if (s->current->len == 0)
    return;
  if (s->n_content == 0)
    {
      /* Only kept separator pages: no document (rule 5), the pages are separators again. */
      for (guint i = 0; i < s->current->len; i++)
        s->roles[g_array_index (s->current, guint, i)] = PE_SPLIT_ROLE_SEPARATOR;
      g_array_set_size (s->current, 0);
      return;
    }
  ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), s->current->len);
  for (guint i = 0; i < s->current->len; i++)
    g_array_append_val (ids, s->pages[g_array_index (s->current, guint, i)].id);
  g_ptr_array_add (s->documents, ids);
  g_array_set_size (s->current, 0);
  s->n_content = 0;
}

static void
add_page (Splitter *s,
          guint     index,
          gboolean  content)
{
  g_array_append_val (s->current, index);
  s->roles[index] = PE_SPLIT_ROLE_DOCUMENT;
  if (content)
    s->n_content++;
}

GPtrArray *
pe_split_documents_with_roles (const PeSplitPage    *pages,
                               guint                 n,
                               const PeSplitParams  *params,
                               PeSplitRole          *roles)
{
  g_autoptr(GArray) current = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree PeSplitRole *own_roles = NULL;
  Splitter s;
  guint count = 0;   /* document pages since the last PAGE_COUNT split */

  g_return_val_if_fail (pages != NULL || n == 0, NULL);
  g_return_val_if_fail (params != NULL, NULL);
  g_return_val_if_fail (params->mode != PE_SPLIT_PAGE_COUNT || params->page_count > 0, NULL);

  if (roles == NULL)
    roles = own_roles = g_new0 (PeSplitRole, MAX (n, 1));

  s.pages = pages;
  s.roles = roles;
  s.documents = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  s.current = current;
  s.n_content = 0;

  for (guint i = 0; i < n;)
    {
      gboolean separator = pages[i].separator;
      gboolean all_blank = pages[i].blank;
      guint end = i + 1;

      while (end < n && same_sheet (&pages[end - 1], &pages[end]))
        {
          separator |= pages[end].separator;
          all_blank &= pages[end].blank;
          end++;
        }

      if (separator)
        {
          if (params->mode != PE_SPLIT_NONE)
            end_document (&s);
          count = 0;
          for (guint k = i; k < end; k++)
            {
              if (params->keep_separator_pages && (pages[k].separator || !pages[k].blank))
                add_page (&s, k, FALSE);
              else if (params->keep_separator_pages)
                roles[k] = PE_SPLIT_ROLE_BLANK;
              else
                roles[k] = PE_SPLIT_ROLE_SEPARATOR;
            }
        }
      else if (all_blank)
        {
          for (guint k = i; k < end; k++)
            roles[k] = PE_SPLIT_ROLE_BLANK;
          if (params->mode == PE_SPLIT_BLANK_SHEET)
            end_document (&s);
        }
      else
        {
          for (guint k = i; k < end; k++)
            {
              if (pages[k].blank)
                {
                  roles[k] = PE_SPLIT_ROLE_BLANK;
                  continue;
                }
              if (params->mode == PE_SPLIT_PAGE_COUNT && count == params->page_count)
                {
                  end_document (&s);
                  count = 0;
                }
              add_page (&s, k, TRUE);
              count++;
            }
        }
      i = end;
    }
  end_document (&s);

  return s.documents;
}

GPtrArray *
pe_split_documents (const PeSplitPage    *pages,
                    guint                 n,
                    const PeSplitParams  *params)
{
  return pe_split_documents_with_roles (pages, n, params, NULL);
}
