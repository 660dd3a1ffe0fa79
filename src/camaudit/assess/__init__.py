"""Assessment: checks turn identified devices into `Finding`s (STYLE.md R8).

framework.py  what a check is and may use (`Check`, `Context`, `AssessOptions`), errors as data
runner.py     every registered check on every device (`assess`)
checks/       one module per check family, registered in `CHECKS`
verify/       safe active verifications through the read-only request type only
versions.py   firmware comparison and range matching; authenticated.py, credentials.py: owner reads
"""
