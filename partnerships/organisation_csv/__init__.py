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
- ``region`` (optional column): up to 100 characters. A blank cell leaves the stored
  region as it is (a new organisation gets none). To clear a region on purpose, put a
  single ``-`` (hyphen) in the cell. A region that really is ``-`` is written ``'-``,
  as export writes it: export never writes a bare ``-``, so exporting and importing
  again never clears a region.

Header names are matched case-insensitively with surrounding spaces trimmed, in any order;
other columns are ignored. Blank rows are skipped. Line numbers in messages count the
header as line 1, like a spreadsheet's row numbers.

Matching: a row with a GSS code updates the organisation with that code (name, kind and,
unless the cell is blank or the column absent, region) or creates one. A row without a
code updates the organisation without a code that has the same name (ignoring case), or
creates one. Organisations not in the file are left alone; nothing is ever deleted.

The preview (and ``import_organisations --dry-run``) lists first the updates that need a
second look: those that rename an organisation or change one that is a current member
of a partnership, each with its old and new values and the partnerships it belongs to.

Files are UTF-8 (with or without a byte-order mark) or, as Excel on Windows saves
"CSV (Comma delimited)", Windows-1252; CRLF or LF line ends; quoted fields may hold
commas. At most 2 MB and 5,000 organisations per file. Every row is checked before
anything is written, and the whole file is written in one transaction, or nothing is.

Export writes the same columns, UTF-8 with a byte-order mark and CRLF line ends; a cell
that a spreadsheet would run as a formula is prefixed with ``'``, which import removes, so
exporting and importing again changes nothing.
"""
