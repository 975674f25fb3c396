"""Organisation: units, officers, the duty catalogue (部门工作职责), mobile Party branches."""
