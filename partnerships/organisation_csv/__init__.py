"""Import and export organisations as CSV: `reading` (bytes to rows), `columns`
(checking each cell), `planning` (what an import will do, and doing it) and `export`.
Every refusal is one `problems.ImportRefused` listing every problem found.

The format
----------
The first row is a header naming the columns; every other row is one organisation::

    name,kind,gss_code,region
    Hartlepool,unitary,E06000001,North East
    Thames Valley Police,police,,South East

- ``name`` (required): up to 200 characters.
- ``kind`` (required): one of the organisation kinds, as its value (``county``,
  ``district``, ``unitary``, ``metropolitan``, ``london_borough``, ``police``, ``fire``,
  ``nhs``, ``housing``, ``voluntary``, ``other``) or its label (``Unitary authority``),
  in any case.
- ``gss_code`` (optional column): the ONS GSS code, a letter E, W, S or N and 8 digits;
  blank if the organisation has none. Each code may appear once in a file.
- ``region`` (optional column): up to 100 characters; blank clears the region.

Header names are matched case-insensitively with surrounding spaces trimmed, in any order;
other columns are ignored. Blank rows are skipped. Line numbers in messages count the
header as line 1, like a spreadsheet's row numbers.

Matching: a row with a GSS code updates the organisation with that code (name, kind and,
if the file has the column, region) or creates one. A row without a code updates the
organisation without a code that has the same name (ignoring case), or creates one.
Organisations not in the file are left alone; nothing is ever deleted.

Files are UTF-8 (with or without a byte-order mark) or, as Excel on Windows saves
"CSV (Comma delimited)", Windows-1252; CRLF or LF line ends; quoted fields may hold
commas. At most 2 MB and 5,000 organisations per file. Every row is checked before
anything is written, and the whole file is written in one transaction, or nothing is.

Export writes the same columns, UTF-8 with a byte-order mark and CRLF line ends; a cell
that a spreadsheet would run as a formula is prefixed with ``'``, which import removes, so
exporting and importing again changes nothing.
"""
