''
	indented with a tab
	  and more
''