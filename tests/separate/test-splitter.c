/* test-splitter.c: the splitting rules of pe-splitter.h, one by one
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "pe-splitter.h"
#include "pe-error.h"
#include "pe-test-common.h"

/* A batch written as tokens, one per page in reading order: c = content, b = blank,
 * s = separator sheet side; a leading '+' makes the page the back of the sheet before it.
 * Page ids are 1, 2, …; with @sheets the sheet numbers are filled in (else 0, rule 1). */
static GArray *
batch (const char *spec,
       gboolean    sheets)
{
  g_auto(GStrv) tokens = g_strsplit (spec, " ", -1);
  GArray *pages = g_array_new (FALSE, TRUE, sizeof (PeSplitPage));
  guint sheet = 0;

  for (guint i = 0; tokens[i] != NULL; i++)
    {
      const char *t = tokens[i];
      PeSplitPage p = { 0 };

      if (*t == '\0')
        continue;
      p.back_side = *t == '+';
      if (p.back_side)
        t++;
      else
        sheet++;
      p.id = pages->len + 1;
      p.blank = *t == 'b';
      p.separator = *t == 's';
      g_assert_true (*t == 'b' || *t == 's' || *t == 'c');
      p.sheet = sheets ? sheet : 0;
      g_array_append_val (pages, p);
    }
  return pages;
}

/* Documents as "1 2|4|6". */
static char *
split (const char          *spec,
       gboolean             sheets,
       const PeSplitParams *params,
       char               **roles_out)
{
  g_autoptr(GArray) pages = batch (spec, sheets);
  g_autofree PeSplitRole *roles = g_new0 (PeSplitRole, pages->len + 1);
  g_autoptr(GPtrArray) docs = NULL;
  GString *s = g_string_new (NULL);

  docs = pe_split_documents_with_roles ((PeSplitPage *) pages->data, pages->len, params,
                                        roles);
  g_assert_nonnull (docs);
  for (guint d = 0; d < docs->len; d++)
    {
      GArray *ids = g_ptr_array_index (docs, d);

      g_assert_cmpuint (ids->len, >, 0);
      if (d > 0)
        g_string_append_c (s, '|');
      for (guint i = 0; i < ids->len; i++)
        g_string_append_printf (s, i ? " %" G_GINT64_FORMAT : "%" G_GINT64_FORMAT,
                                g_array_index (ids, gint64, i));
    }

  /* The same without roles gives the same documents. */
  {
    g_autoptr(GPtrArray) again = pe_split_documents ((PeSplitPage *) pages->data, pages->len,
                                                     params);

    g_assert_cmpuint (again->len, ==, docs->len);
  }

  if (roles_out != NULL)
    {
      GString *r = g_string_new (NULL);

      for (guint i = 0; i < pages->len; i++)
        g_string_append_c (r, "dbs"[roles[i]]);
      *roles_out = g_string_free (r, FALSE);
    }
  return g_string_free (s, FALSE);
}

static PeSplitParams
params_for (PeSplitMode mode,
            guint       page_count,
            gboolean    keep)
{
  PeSplitParams p;

  pe_split_params_init_default (&p);
  p.mode = mode;
  p.page_count = page_count;
  p.keep_separator_pages = keep;
  return p;
}

#define assert_split(spec, sheets, params, expected, expected_roles) \
  G_STMT_START { \
    g_autofree char *roles_ = NULL; \
    g_autofree char *docs_ = split (spec, sheets, params, &roles_); \
    g_assert_cmpstr (docs_, ==, expected); \
    if (expected_roles != NULL) \
      g_assert_cmpstr (roles_, ==, (const char *) expected_roles); \
  } G_STMT_END

static void
test_none (void)
{
  PeSplitParams p = params_for (PE_SPLIT_NONE, 1, FALSE);

  /* Today's behaviour: one document, blank pages left out. */
  assert_split ("c +b c +c c +b", FALSE, &p, "1 3 4 5", "dbdddb");
  /* Separator sheets are left out but do not split. */
  assert_split ("c s c", FALSE, &p, "1 3", "dsd");
  assert_split ("", FALSE, &p, "", "");
  assert_split ("b b", FALSE, &p, "", "bb");
}

static void
test_separator_simplex (void)
{
  PeSplitParams p = params_for (PE_SPLIT_SEPARATOR, 1, FALSE);

  assert_split ("c s c c s c", FALSE, &p, "1|3 4|6", "dsddsd");
  /* Consecutive separators, one at the start and at the end: no empty documents. */
  assert_split ("s c s s s c c s", FALSE, &p, "2|6 7", "sdsssdds");
  assert_split ("s s", FALSE, &p, "", "ss");
  /* Blank pages stay out of documents and do not split in this mode. */
  assert_split ("c b c s b c", FALSE, &p, "1 3|6", "dbdsbd");
}

static void
test_separator_duplex (void)
{
  PeSplitParams p = params_for (PE_SPLIT_SEPARATOR, 1, FALSE);

  /* The corpus' shape: one-page letters with blank backs, separator sheets with blank backs,
   * a letter printed on both sides. */
  assert_split ("c +b s +b c +c s +b c +b", FALSE, &p, "1|5 6|9", "dbssddssdb");
  assert_split ("c +b s +b c +c s +b c +b", TRUE, &p, "1|5 6|9", "dbssddssdb");
  /* The separator sheet's back goes with it even when cleanup did not call it blank
   * (bleed-through, a note on the back). */
  assert_split ("c +b s +c c +b", TRUE, &p, "1|5", "dbssdb");
  /* A separator sheet fed upside down has its code on the back: the front goes with it. */
  assert_split ("c +b c +s c +b", TRUE, &p, "1|5", "dbssdb");
  assert_split ("c +b b +s c +b", FALSE, &p, "1|5", "dbssdb");
  /* Sheet numbers decide over back_side flags. */
  {
    g_autoptr(GArray) pages = batch ("c c c c", TRUE);
    g_autoptr(GPtrArray) docs = NULL;

    /* Sheet 2 has pages 2 and 3 (no back flag); page 3 is its separator side. */
    g_array_index (pages, PeSplitPage, 2).sheet = 2;
    g_array_index (pages, PeSplitPage, 3).sheet = 3;
    g_array_index (pages, PeSplitPage, 2).separator = TRUE;
    docs = pe_split_documents ((PeSplitPage *) pages->data, pages->len, &p);
    g_assert_cmpuint (docs->len, ==, 2);
    g_assert_cmpuint (((GArray *) g_ptr_array_index (docs, 0))->len, ==, 1);
    g_assert_cmpint (g_array_index ((GArray *) g_ptr_array_index (docs, 0), gint64, 0), ==, 1);
    g_assert_cmpint (g_array_index ((GArray *) g_ptr_array_index (docs, 1), gint64, 0), ==, 4);
  }
}

static void
test_blank_sheet (void)
{
  PeSplitParams p = params_for (PE_SPLIT_BLANK_SHEET, 1, FALSE);

  /* Simplex: one blank page is a blank sheet. */
  assert_split ("c b c c b b c b", FALSE, &p, "1|3 4|7", "dbddbbdb");
  /* Duplex: a content page's blank back does not split, a sheet blank on both sides does. */
  assert_split ("c +b c +b b +b c +c b +b c +b", FALSE, &p, "1 3|7 8|11", "dbdbbbddbbdb");
  assert_split ("c +b c +b b +b c +c b +b c +b", TRUE, &p, "1 3|7 8|11", "dbdbbbddbbdb");
  /* A sheet blank on one side only is no blank sheet. */
  assert_split ("c +b b +c c", FALSE, &p, "1 4 5", "dbbdd");
  /* Separator sheets split here too. */
  assert_split ("c s c b c", FALSE, &p, "1|3|5", "dsdbd");
  /* Leading and trailing blank sheets: no empty documents. */
  assert_split ("b +b c +b b +b", FALSE, &p, "3", "bbdbbb");
}

static void
test_page_count (void)
{
  PeSplitParams p = params_for (PE_SPLIT_PAGE_COUNT, 2, FALSE);

  assert_split ("c c c c c", FALSE, &p, "1 2|3 4|5", "ddddd");
  /* Blank pages do not count. */
  assert_split ("c +b c +b c +b c +b", FALSE, &p, "1 3|5 7", "dbdbdbdb");
  /* A separator sheet ends a document and restarts the count. */
  assert_split ("c s c c c", FALSE, &p, "1|3 4|5", "dsddd");
  p.page_count = 1;
  assert_split ("c c b c", FALSE, &p, "1|2|4", "ddbd");
  p.page_count = 3;
  assert_split ("c c", FALSE, &p, "1 2", "dd");
  /* Blank sheets do not split in this mode. */
  assert_split ("c b c c", FALSE, &p, "1 3 4", "dbdd");
}

static void
test_keep_separator_pages (void)
{
  PeSplitParams p = params_for (PE_SPLIT_SEPARATOR, 1, TRUE);

  /* The separator sheet opens the next document; its blank back is still left out. */
  assert_split ("c +b s +b c +b", FALSE, &p, "1|3 5", "dbdbdb");
  /* A separator with nothing after it, or followed by another, makes no document: its
   * pages are separators again. */
  assert_split ("c s s c s", FALSE, &p, "1|3 4", "dsdds");
  /* PAGE_COUNT: a kept separator page does not count. */
  p = params_for (PE_SPLIT_PAGE_COUNT, 2, TRUE);
  assert_split ("c s c c c", FALSE, &p, "1|2 3 4|5", "ddddd");
}

static void
test_mode_strings (void)
{
  PeSplitMode mode = PE_SPLIT_NONE;

  g_assert_true (pe_split_mode_from_string ("separator", &mode));
  g_assert_cmpint (mode, ==, PE_SPLIT_SEPARATOR);
  g_assert_true (pe_split_mode_from_string ("Blank", &mode));
  g_assert_cmpint (mode, ==, PE_SPLIT_BLANK_SHEET);
  g_assert_true (pe_split_mode_from_string ("pages", &mode));
  g_assert_cmpint (mode, ==, PE_SPLIT_PAGE_COUNT);
  g_assert_true (pe_split_mode_from_string ("none", &mode));
  g_assert_cmpint (mode, ==, PE_SPLIT_NONE);
  mode = PE_SPLIT_BLANK_SHEET;
  g_assert_false (pe_split_mode_from_string ("barcode", &mode));
  g_assert_false (pe_split_mode_from_string (NULL, &mode));
  g_assert_false (pe_split_mode_from_string ("", &mode));
  g_assert_cmpint (mode, ==, PE_SPLIT_BLANK_SHEET);
  for (PeSplitMode m = PE_SPLIT_NONE; m <= PE_SPLIT_PAGE_COUNT; m++)
    {
      g_assert_true (pe_split_mode_from_string (pe_split_mode_to_string (m), &mode));
      g_assert_cmpint (mode, ==, m);
    }
}

static void
test_params_from_strings (void)
{
  PeSplitParams p;
  g_autoptr(GError) error = NULL;

  pe_split_params_init_default (&p);
  g_assert_true (pe_split_params_from_strings (&p, NULL, NULL, NULL, &error));
  g_assert_cmpint (p.mode, ==, PE_SPLIT_NONE);
  g_assert_false (p.keep_separator_pages);

  g_assert_true (pe_split_params_from_strings (&p, " pages ", "3", "true", &error));
  g_assert_no_error (error);
  g_assert_cmpint (p.mode, ==, PE_SPLIT_PAGE_COUNT);
  g_assert_cmpuint (p.page_count, ==, 3);
  g_assert_true (p.keep_separator_pages);

  g_assert_true (pe_split_params_from_strings (&p, "separator", NULL, "false", &error));
  g_assert_cmpint (p.mode, ==, PE_SPLIT_SEPARATOR);
  g_assert_false (p.keep_separator_pages);

  /* Bad values fail and leave @p as it was. */
  g_assert_false (pe_split_params_from_strings (&p, "barcodes", NULL, NULL, &error));
  g_assert_error (error, PE_ERROR, PE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "SplitMode"));
  g_clear_error (&error);
  g_assert_false (pe_split_params_from_strings (&p, "pages", NULL, NULL, &error));
  g_assert_error (error, PE_ERROR, PE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "SplitPages"));
  g_clear_error (&error);
  g_assert_false (pe_split_params_from_strings (&p, "pages", "0", NULL, &error));
  g_assert_error (error, PE_ERROR, PE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (pe_split_params_from_strings (&p, "pages", "2x", NULL, &error));
  g_assert_error (error, PE_ERROR, PE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (pe_split_params_from_strings (&p, NULL, NULL, "maybe", &error));
  g_assert_error (error, PE_ERROR, PE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "KeepSeparatorPages"));
  g_clear_error (&error);
  g_assert_cmpint (p.mode, ==, PE_SPLIT_SEPARATOR);
  g_assert_cmpuint (p.page_count, ==, 3);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/separate/splitter/none", test_none);
  g_test_add_func ("/separate/splitter/separator-simplex", test_separator_simplex);
  g_test_add_func ("/separate/splitter/separator-duplex", test_separator_duplex);
  g_test_add_func ("/separate/splitter/blank-sheet", test_blank_sheet);
  g_test_add_func ("/separate/splitter/page-count", test_page_count);
  g_test_add_func ("/separate/splitter/keep-separator-pages", test_keep_separator_pages);
  g_test_add_func ("/separate/splitter/mode-strings", test_mode_strings);
  g_test_add_func ("/separate/splitter/params-from-strings", test_params_from_strings);

  return g_test_run ();
}
