/* pe-ocr-result.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdlib.h>

#include "pe-error.h"
#include "pe-ocr-result.h"

struct _PeOcrResult
{
  guint   width;
  guint   height;
  GArray *words;   /* of PeOcrWord */
  double  cpu_seconds;
};

static void
clear_word (gpointer data)
{
  PeOcrWord *word = data;

  g_clear_pointer (&word->text, g_free);
}

PeOcrResult *
pe_ocr_result_new (guint width,
                   guint height)
{
  PeOcrResult *self = g_rc_box_new0 (PeOcrResult);

  self->width = width;
  self->height = height;
  self->words = g_array_new (FALSE, TRUE, sizeof (PeOcrWord));
  g_array_set_clear_func (self->words, clear_word);

  return self;
}

PeOcrResult *
pe_ocr_result_ref (PeOcrResult *self)
{
  return g_rc_box_acquire (self);
}

static void
pe_ocr_result_clear (gpointer data)
{
  PeOcrResult *self = data;

  g_array_unref (self->words);
}

void
pe_ocr_result_unref (PeOcrResult *self)
{
  g_rc_box_release_full (self, pe_ocr_result_clear);
}

void
pe_ocr_result_add_word (PeOcrResult     *self,
                        const PeOcrWord *word)
{
  PeOcrWord copy = *word;

  g_return_if_fail (self != NULL);
  g_return_if_fail (word->text != NULL && word->text[0] != '\0');

  copy.text = g_strdup (word->text);
  g_array_append_val (self->words, copy);
}

guint
pe_ocr_result_get_n_words (PeOcrResult *self)
{
  return self->words->len;
}

const PeOcrWord *
pe_ocr_result_get_word (PeOcrResult *self,
                        guint        index)
{
  g_return_val_if_fail (index < self->words->len, NULL);

  return &g_array_index (self->words, PeOcrWord, index);
}

guint
pe_ocr_result_get_width (PeOcrResult *self)
{
  return self->width;
}

guint
pe_ocr_result_get_height (PeOcrResult *self)
{
  return self->height;
}

double
pe_ocr_result_get_mean_confidence (PeOcrResult *self)
{
  double sum = 0;

  if (self->words->len == 0)
    return 0;

  for (guint i = 0; i < self->words->len; i++)
    sum += g_array_index (self->words, PeOcrWord, i).conf;

  return sum / self->words->len;
}

/* Tesseract's TSV: level page_num block_num par_num line_num word_num left top width height
 * conf text. Level 1 is the page (its box gives the image size), level 5 a word; the other
 * levels are implied by the numbering and are written back for tools that expect them. */
PeOcrResult *
pe_ocr_result_new_from_tsv (const char  *tsv,
                            GError     **error)
{
  g_autoptr(PeOcrResult) self = pe_ocr_result_new (0, 0);
  g_auto(GStrv) lines = NULL;

  g_return_val_if_fail (tsv != NULL, NULL);

  lines = g_strsplit (tsv, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = NULL;
      PeOcrWord word = { 0 };
      guint level;

      if (lines[i][0] == '\0' || g_str_has_prefix (lines[i], "level"))
        continue;

      f = g_strsplit (lines[i], "\t", 12);
      if (g_strv_length (f) < 11)
        {
          g_set_error (error, PE_ERROR, PE_ERROR_CORRUPT,
                       _("The stored text recognition of a page is damaged (line %u). "
                         "Run text recognition for this page again."), i + 1);
          return NULL;
        }

      level = strtoul (f[0], NULL, 10);
      if (level == 1)
        {
          self->width = strtoul (f[8], NULL, 10);
          self->height = strtoul (f[9], NULL, 10);
          continue;
        }
      if (level != 5 || f[11] == NULL)
        continue;

      g_strstrip (f[11]);
      if (f[11][0] == '\0')
        continue;

      word.block = strtoul (f[2], NULL, 10);
      word.par = strtoul (f[3], NULL, 10);
      word.line = strtoul (f[4], NULL, 10);
      word.word = strtoul (f[5], NULL, 10);
      word.x = strtol (f[6], NULL, 10);
      word.y = strtol (f[7], NULL, 10);
      word.width = strtol (f[8], NULL, 10);
      word.height = strtol (f[9], NULL, 10);
      word.conf = g_ascii_strtod (f[10], NULL);
      word.text = f[11];
      pe_ocr_result_add_word (self, &word);
    }

  return g_steal_pointer (&self);
}

char *
pe_ocr_result_to_tsv (PeOcrResult *self)
{
  GString *s = g_string_new ("level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\t"
                             "left\ttop\twidth\theight\tconf\ttext\n");
  char conf[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_printf (s, "1\t1\t0\t0\t0\t0\t0\t0\t%u\t%u\t-1\t\n", self->width, self->height);
  for (guint i = 0; i < self->words->len; i++)
    {
      const PeOcrWord *w = &g_array_index (self->words, PeOcrWord, i);

      g_ascii_formatd (conf, sizeof conf, "%.2f", w->conf);
      g_string_append_printf (s, "5\t1\t%u\t%u\t%u\t%u\t%d\t%d\t%d\t%d\t%s\t%s\n",
                              w->block, w->par, w->line, w->word,
                              w->x, w->y, w->width, w->height, conf, w->text);
    }

  return g_string_free (s, FALSE);
}

/* Plain text in Tesseract's reading order: words of a line joined by spaces, lines by newlines,
 * paragraphs and blocks separated by an empty line. */
char *
pe_ocr_result_get_text (PeOcrResult *self)
{
  GString *s = g_string_new (NULL);
  const PeOcrWord *prev = NULL;

  for (guint i = 0; i < self->words->len; i++)
    {
      const PeOcrWord *w = &g_array_index (self->words, PeOcrWord, i);

      if (prev != NULL)
        {
          if (w->block != prev->block || w->par != prev->par)
            g_string_append (s, "\n\n");
          else if (w->line != prev->line)
            g_string_append_c (s, '\n');
          else
            g_string_append_c (s, ' ');
        }
      g_string_append (s, w->text);
      prev = w;
    }
  if (s->len > 0)
    g_string_append_c (s, '\n');

  return g_string_free (s, FALSE);
}

void
pe_ocr_result_set_cpu_seconds (PeOcrResult *self,
                               double       seconds)
{
  g_return_if_fail (self != NULL);
  self->cpu_seconds = seconds;
}

double
pe_ocr_result_get_cpu_seconds (PeOcrResult *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->cpu_seconds;
}
