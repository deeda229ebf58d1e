"""The judge's pure rules: answer extraction, both-orders comparison, grade, report chunks."""
