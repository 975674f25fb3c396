"""Cases by the book: procedure, legal deadlines, discretion, exemptions, evidence, payment, credit."""
