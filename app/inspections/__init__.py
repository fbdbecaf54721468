"""执法检查 (issue #17): plans and 双随机 draws, quiet periods, special actions, inspections, 执法公示."""
