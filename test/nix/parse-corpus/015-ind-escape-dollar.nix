''
  ''${not-interp}
''