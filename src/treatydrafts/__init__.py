"""treatydrafts"""
