"""Documents: the signed papers behind the records (an SAA, a bank advice, a note
verbale), kept in the database with the record they support, never deleted,
replaced by a newer version with a reason, read with the record's own access rules."""
