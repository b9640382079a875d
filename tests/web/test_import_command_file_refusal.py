"""The import command names a whole-file refusal without a row ("File: ..."): a file has
no row 0. (Found by a colleague's review: "Row 0, File: ...".)"""


def test_a_csv_saved_as_xlsx_is_refused_without_a_row_0(app, db, runner, tmp_path, users):
    fake = tmp_path / "deposits.xlsx"
    fake.write_text("Commitment,Value date,Amount\nSE-EUR-1,2018-05-10,1000\n")
    result = runner.invoke(args=["import-deposits", str(fake), "--user", "officer@test.example"])
    assert result.exit_code == 1
    assert "This is not an .xlsx workbook" in result.output
    assert "Row 0" not in result.output, result.output
