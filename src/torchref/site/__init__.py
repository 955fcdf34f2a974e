"""The reference site: source -> page model -> outcomes -> Markdown pages and reports -> mkdocs glue."""
