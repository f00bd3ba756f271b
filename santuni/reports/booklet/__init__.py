"""The printed booklet: its layout (read, rendered, made a PDF), its builds and their task, and
the officers' pages that ask for one and download it."""
