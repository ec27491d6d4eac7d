/* pe-pdf-output.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pe-pdf-output.h"

/* Large enough that the small dictionaries between two streams cost one write(2); page images
 * bypass it. */
#define BUFFER_SIZE (64 * 1024)

struct _PePdfOutput
{
  int      fd;
  int      error;
  guint64  offset;    /* bytes handed to us so far, i.e. the PDF file offset */
  gsize    len;
  guint8   buffer[BUFFER_SIZE];
};

PePdfOutput *
_pe_pdf_output_new (int fd)
{
  PePdfOutput *self = g_new0 (PePdfOutput, 1);

  self->fd = fd;
  return self;
}

void
_pe_pdf_output_free (PePdfOutput *self)
{
  g_free (self);
}

static void
write_all (PePdfOutput  *self,
           const guint8 *data,
           gsize         len)
{
  while (len > 0 && self->error == 0)
    {
      gssize n = write (self->fd, data, len);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          self->error = errno;
          return;
        }
      /* A short write without errno on a full disk: the next write reports ENOSPC. */
      data += n;
      len -= n;
    }
}

gboolean
_pe_pdf_output_flush (PePdfOutput *self)
{
  if (self->len > 0)
    {
      write_all (self, self->buffer, self->len);
      self->len = 0;
    }
  return self->error == 0;
}

void
_pe_pdf_output_write (PePdfOutput *self,
                      const void  *data,
                      gsize        len)
{
  self->offset += len;
  if (self->error != 0)
    return;

  if (self->len + len <= BUFFER_SIZE)
    {
      memcpy (self->buffer + self->len, data, len);
      self->len += len;
      return;
    }

  _pe_pdf_output_flush (self);
  if (len >= BUFFER_SIZE / 2)
    write_all (self, data, len);
  else
    {
      memcpy (self->buffer, data, len);
      self->len = len;
    }
}

void
_pe_pdf_output_puts (PePdfOutput *self,
                     const char  *str)
{
  _pe_pdf_output_write (self, str, strlen (str));
}

void
_pe_pdf_output_printf (PePdfOutput *self,
                       const char  *format,
                       ...)
{
  char buf[512];
  va_list args;
  int n;

  va_start (args, format);
  n = g_vsnprintf (buf, sizeof buf, format, args);
  va_end (args);

  if (n < (int) sizeof buf)
    {
      _pe_pdf_output_write (self, buf, n);
    }
  else
    {
      g_autofree char *str = NULL;

      va_start (args, format);
      str = g_strdup_vprintf (format, args);
      va_end (args);
      _pe_pdf_output_puts (self, str);
    }
}

static const char *
format_real (char   *buf,
             gsize   size,
             double  value,
             int     decimals)
{
  char fmt[8];
  char *end;

  g_assert (decimals >= 0 && decimals <= 9);
  g_snprintf (fmt, sizeof fmt, "%%.%df", decimals);
  /* g_ascii_formatd: printf's %f would write a decimal comma under a German locale. */
  g_ascii_formatd (buf, size, fmt, value);

  if (strchr (buf, '.') != NULL)
    {
      end = buf + strlen (buf) - 1;
      while (*end == '0')
        *end-- = '\0';
      if (*end == '.')
        *end = '\0';
    }
  if (strcmp (buf, "-0") == 0)
    return "0";
  return buf;
}

void
_pe_pdf_output_real (PePdfOutput *self,
                     double       value,
                     int          decimals)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  _pe_pdf_output_puts (self, format_real (buf, sizeof buf, value, decimals));
}

void
_pe_pdf_string_append_real (GString *str,
                            double   value,
                            int      decimals)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append (str, format_real (buf, sizeof buf, value, decimals));
}

void
_pe_pdf_output_hex (PePdfOutput  *self,
                    const guint8 *data,
                    gsize         len)
{
  static const char digits[] = "0123456789ABCDEF";

  _pe_pdf_output_write (self, "<", 1);
  for (gsize i = 0; i < len; i++)
    {
      char pair[2] = { digits[data[i] >> 4], digits[data[i] & 0xf] };

      _pe_pdf_output_write (self, pair, 2);
    }
  _pe_pdf_output_write (self, ">", 1);
}

void
_pe_pdf_output_text (PePdfOutput *self,
                     const char  *utf8)
{
  gboolean ascii = TRUE;

  for (const char *p = utf8; *p != '\0'; p++)
    if ((guchar) *p >= 0x80 || (guchar) *p < 0x20)
      ascii = FALSE;

  if (ascii)
    {
      _pe_pdf_output_write (self, "(", 1);
      for (const char *p = utf8; *p != '\0'; p++)
        {
          if (*p == '(' || *p == ')' || *p == '\\')
            _pe_pdf_output_write (self, "\\", 1);
          _pe_pdf_output_write (self, p, 1);
        }
      _pe_pdf_output_write (self, ")", 1);
    }
  else
    {
      g_autofree gunichar2 *utf16 = NULL;
      glong n = 0;
      g_autofree guint8 *be = NULL;

      utf16 = g_utf8_to_utf16 (utf8, -1, NULL, &n, NULL);
      if (utf16 == NULL)
        {
          _pe_pdf_output_puts (self, "()");
          return;
        }
      /* BOM + big-endian code units: the PDF text string form for non-Latin text. */
      be = g_malloc (2 * n + 2);
      be[0] = 0xfe;
      be[1] = 0xff;
      for (glong i = 0; i < n; i++)
        {
          be[2 + 2 * i] = utf16[i] >> 8;
          be[3 + 2 * i] = utf16[i] & 0xff;
        }
      _pe_pdf_output_hex (self, be, 2 * n + 2);
    }
}

guint64
_pe_pdf_output_tell (PePdfOutput *self)
{
  return self->offset;
}

int
_pe_pdf_output_get_errno (PePdfOutput *self)
{
  return self->error;
}
